"""After the CADA referral: the opinion, the confirmed refusal and the court délai (pure).

>>> from datetime import date
>>> from cada_tracker.deadlines import Facts, compute
>>> r = compute(Facts(received=date(2025, 9, 1), cada_registered=date(2025, 11, 20)))
>>> r.step("confirmed_refusal").date, r.step("court_deadline").date
(datetime.date(2026, 1, 20), datetime.date(2026, 3, 23))

The confirmed refusal is a birth (R*343-4, R343-5): its safe date is itself
(§12bis-7); only the safe court date counts from the sending of the referral, the
earliest plausible registration. The court délai is franc and extended (art. 642
CPC); its safe date is never extended, but a paper filing needs a working day
(§12bis-13).
"""

from __future__ import annotations

from datetime import date

from cada_tracker.deadlines import rules
from cada_tracker.deadlines.engine import (
    DAY,
    WEEKDAYS,
    Result,
    Step,
    _extend,
    _reasonable,
    _why,
)
from cada_tracker.deadlines.facts import Facts, fr
from cada_tracker.deadlines.rules import add_months


def court_steps(facts: Facts, zone: str, not_opposable: bool, rg: date, res: Result) -> None:
    rg_safe = min(d for d in (facts.cada_sent, facts.cada_registered) if d is not None)
    if facts.cada_registered is None:
        res.warnings.append(
            f"Date d'enregistrement par la CADA inconnue : l'envoi du {fr(facts.cada_sent)} "
            "est pris comme date d'enregistrement (lecture la plus précoce)."
        )
    opinion_due = add_months(rg, 1)
    res.steps.append(Step(
        "cada_opinion_due", opinion_due, None, rules.CADA_OPINION_DUE.basis,
        f"enregistrée le {fr(rg)} + 1 mois = {fr(opinion_due)} (délai indicatif, non "
        "sanctionné : 52 à 59 jours en moyenne)", indicative=True, start=rg))
    confirmed = add_months(rg, 2)
    text = (f"saisine enregistrée le {fr(rg)} + 2 mois = {fr(confirmed)} ; silence de "
            "l'administration = confirmation du refus, même sans avis de la CADA ; jamais "
            f"reporté ; recours possible dès le {fr(confirmed + DAY)}")
    implicit = confirmed
    trigger, trigger_safe, start = confirmed, add_months(rg_safe, 2), rg
    conf = facts.confirmation
    if conf is not None and conf < confirmed:
        trigger = confirmed = start = conf
        # §12bis-7/§4.3: on the earliest reading (registered the day it was sent) the
        # silence may already have confirmed the refusal before this letter; the letter
        # then only reopens the délai (R421-2) and the safe date keeps the earlier one.
        trigger_safe = min(trigger_safe, conf)
        text = (f"refus exprès confirmé le {fr(conf)} (avant le {fr(implicit)}) ; "
                f"recours possible dès le {fr(conf + DAY)}")
    elif conf is not None and conf == confirmed:
        text = (f"saisine enregistrée le {fr(rg)} + 2 mois = {fr(confirmed)}, jour où le refus "
                f"est aussi confirmé par écrit ; recours possible dès le {fr(confirmed + DAY)}")
    res.steps.append(Step("confirmed_refusal", confirmed, confirmed,
                          rules.CONFIRMED_REFUSAL.basis, text, start=start, safe_start=start))
    rule = rules.COURT_DEADLINE
    echeance = add_months(trigger, rule.months)
    legal, shift = _extend(echeance + DAY, zone)
    reading = min(add_months(trigger_safe, 2), add_months(trigger_safe + DAY, 2))
    # On the earliest reading the délai may have run out before the refusal was even
    # confirmed (registered long after it was sent): the safe day is then the first
    # day a filing is possible (§12bis-7), never a day before it.
    safe = max(reading, trigger + DAY)
    explanation = (f"refus confirmé le {fr(trigger)} + 2 mois = {fr(echeance)}, délai franc : "
                   f"{fr(echeance + DAY)}{shift}{_saint_martin(echeance + DAY, zone)} ; "
                   f"{_safe_text(facts, trigger, trigger_safe, reading, safe, zone)}")
    used = conf is not None and conf <= legal
    legal_start = trigger
    if conf is not None and conf > implicit and conf <= legal:
        legal_start = conf  # the new délai counts from the letter
        late = add_months(conf, 2)
        legal, shift = _extend(late + DAY, zone)
        explanation += (f" ; refus exprès du {fr(conf)} : nouveau délai jusqu'au "
                        f"{fr(legal)} (R421-2), la date prudente garde le plus court")
    # §12bis-4: the decision that starts the court délai must itself carry the mentions.
    bare = used and facts.confirmation_mentions is False
    if bare:
        res.opposable = False
        res.warnings.append(
            f"Refus confirmé par écrit le {fr(conf)} sans les voies et délais de recours : le "
            "délai de recours contentieux est inopposable (R421-5 CJA) ; au plus un an à "
            "compter de sa notification (CE 13 juil. 2016 Czabaj)."
        )
    res.steps.append(Step(rule.key, legal, safe, rule.basis, explanation,
                          opposable=not (not_opposable or bare), start=legal_start,
                          safe_start=trigger_safe))
    if bare:
        _reasonable(conf, f"du refus confirmé notifié le {fr(conf)}", res)
    elif not_opposable:
        _reasonable(trigger, f"du refus confirmé le {fr(trigger)}", res)


def _safe_text(facts: Facts, trigger: date, trigger_safe: date, reading: date, safe: date,
               zone: str) -> str:
    """§12bis-13/14: which event the safe date counts from, and how to file on it."""
    from cada_tracker.deadlines.calendar import is_working_day, previous_working_day

    if trigger_safe != trigger:
        text = (f"date prudente : depuis l'envoi de la saisine le {fr(facts.cada_sent)} "
                f"(enregistrement le plus précoce), refus confirmé au plus tôt le "
                f"{fr(trigger_safe)} + 2 mois = {fr(reading)}, sans le jour franc ni report")
    else:
        text = (f"date prudente : refus confirmé le {fr(trigger)} + 2 mois = {fr(reading)}, "
                "sans le jour franc ni report")
    if safe != reading:
        text += (f", avant même le refus confirmé du {fr(trigger)} : au plus tôt, dès le "
                 f"lendemain, {fr(safe)}")
    if is_working_day(safe, zone):
        return text + " ; dépôt au greffe ou Télérecours citoyens, pas le cachet de la poste"
    paper = previous_working_day(safe, zone)
    return text + (f" ; le {fr(safe)} ({_why(safe, zone)}) : en ligne par Télérecours "
                   f"citoyens ce jour-là ; sur papier ou au greffe, au plus tard le "
                   f"{WEEKDAYS[paper.weekday()]} {fr(paper)}")


def _saint_martin(last: date, zone: str) -> str:
    """§12bis-11: the sources disagree on Saint-Martin's abolition day."""
    if zone == "978" and (last.month, last.day) in ((5, 27), (5, 28)):
        return (" (Saint-Martin : abolition de l'esclavage le 28 mai selon le code etalab "
                "jours-feries-france, le 27 mai selon d'autres sources)")
    return ""
