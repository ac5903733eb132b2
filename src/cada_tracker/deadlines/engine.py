"""The CRPA deadline engine: pure (no clock, no database, no configuration).

>>> from datetime import date
>>> r = compute(Facts(received=date(2026, 1, 31)))
>>> r.step("implicit_refusal").date, r.step("cada_deadline").safe_date
(datetime.date(2026, 2, 28), datetime.date(2026, 4, 27))

Every step carries its legal reading (``date``), a ``safe_date`` (the earliest
plausible reading, never extended: the date users are asked to act before; for
``cada_earliest`` it is the later, immune date), the dates both are counted from
(``start``, ``safe_start``), its article(s) and a one-line French explanation that
names those dates. Rule book: ../shared/legal/RULES.md §10, and §12bis where it
overrides §10.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from cada_tracker.deadlines import rules
from cada_tracker.deadlines.facts import (
    Facts,
    fr,
    inconsistencies,
    latest_receipt,
    receipt_proof,
)
from cada_tracker.deadlines.rules import add_months

DAY = timedelta(days=1)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

__all__ = ["Facts", "Result", "Step", "compute", "inconsistencies", "result_as_dict"]


@dataclass(frozen=True)
class Step:
    key: str
    date: date
    safe_date: date | None
    basis: str
    explanation: str
    opposable: bool = True
    indicative: bool = False
    start: date | None = None  # the event the legal date is counted from
    safe_start: date | None = None  # the event the safe date is counted from


@dataclass
class Result:
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    opposable: bool = True

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


@dataclass(frozen=True)
class _Refusal:
    """The implicit refusal: legal birth, the short track's birth, and the latest one."""

    legal: date
    safe: date
    late: date  # with an unknown receipt: from the latest plausible receipt (§12bis-9)
    late_extended: bool = False  # ... and an extension valid only on that reading


def _extend(d: date, zone: str) -> tuple[date, str]:
    """Art. 642 CPC: a deadline ending on a Saturday, Sunday or holiday moves on."""
    from cada_tracker.deadlines.calendar import next_working_day

    moved = next_working_day(d, zone)
    if moved == d:
        return d, ""
    return moved, (f" ; {fr(d)} ({_why(d, zone)}) → reporté au {WEEKDAYS[moved.weekday()]} "
                   f"{fr(moved)} (art. 642 CPC)")


def _why(d: date, zone: str) -> str:
    from cada_tracker.deadlines.calendar import holiday_name

    return holiday_name(d, zone) or WEEKDAYS[d.weekday()]


def compute(facts: Facts, *, zone: str = "metropole") -> Result:
    from cada_tracker.deadlines.calendar import INDICATIVE_ZONES, ZONE_LABELS

    res = Result()
    for problem in inconsistencies(facts):
        res.warnings.append(f"Dates incohérentes : {problem}.")
    start = facts.received or facts.sent
    if facts.received is None and facts.sent is not None:
        res.warnings.append(
            f"Date de réception inconnue : les délais partent de l'envoi du {fr(facts.sent)}, "
            "lecture la plus précoce ; la saisine n'est conseillée qu'à partir d'une "
            f"réception supposée au plus tard le {fr(latest_receipt(facts))} ; enregistrez "
            f"la date de réception ({receipt_proof(facts.sent_via)})."
        )
    ir = _implicit_refusal(facts, start, res)
    not_opposable = _opposability(facts, ir, res)
    if facts.full_answer is not None and (ir is None or facts.full_answer <= ir.legal):
        return _checked(res)  # everything communicated before any refusal: nothing to escalate
    trigger = _cada_trigger(facts, ir, res)
    if trigger is not None:
        _cada_steps(facts, trigger, ir, not_opposable, res)
        _court_steps(facts, zone, not_opposable, trigger, res)
    if zone in INDICATIVE_ZONES:
        res.steps = [replace(s, indicative=True) for s in res.steps]
        res.warnings.append(
            f"{ZONE_LABELS[zone]} : le livre III du CRPA ne s'y applique qu'en partie ; des "
            "règles locales et des délais de distance peuvent s'appliquer. Dates calculées "
            "comme en métropole, à titre indicatif seulement."
        )
    return _checked(res)


def _checked(res: Result) -> Result:
    """§12bis-12: a safe date is never after its legal date (never before, for the
    earliest referral), and no step precedes the event it is counted from."""
    for s in res.steps:
        wrong_side = (s.safe_date is not None
                      and (s.safe_date < s.date if s.key == "cada_earliest"
                           else s.safe_date > s.date))
        if wrong_side or (s.start is not None and s.date < s.start):
            raise AssertionError(f"engine: inconsistent step {s}")
    return res


def _opposability(facts: Facts, ir: _Refusal | None, res: Result) -> bool:
    """True when the delays are NOT opposable (L112-6 CRPA, R421-5 CJA)."""
    refusal = facts.refusal
    # L112-6 al. 2: only an express decision notified before the implicit refusal is
    # born, with the mentions, cures a missing or incomplete acknowledgement (§12bis-3).
    cures = (refusal is not None and facts.refusal_mentions is True
             and (ir is None or refusal <= ir.legal))
    reasons = []
    if facts.ack_mentions is not True and not cures:
        reasons.append(
            "aucun accusé de réception n'est enregistré : hypothèse retenue, accusé absent ou "
            "sans les voies et délais (L112-3, R112-5 et L112-6 CRPA)"
            if facts.ack_mentions is None else
            "l'accusé de réception ne mentionnait pas les voies et délais (L112-6 CRPA)")
        if refusal is not None and facts.refusal_mentions is True:
            reasons[-1] += (f" ; le refus exprès du {fr(refusal)}, notifié après le refus "
                            "implicite, n'y remédie pas (L112-6 al. 2)")
    if refusal is not None and facts.refusal_mentions is False:
        reasons.append("le refus ne mentionnait pas les voies et délais de recours, dont la "
                       "saisine obligatoire de la CADA (R421-5 CJA ; CE 11 juil. 2016 "
                       "n° 391899)")
    if reasons:
        res.opposable = False
        res.warnings.append(
            "Délais de recours inopposables : " + " ; ".join(reasons) + ". Un délai "
            "raisonnable d'un an s'applique alors ; visez quand même les dates strictes."
        )
    return bool(reasons)


def _implicit_refusal(facts: Facts, start: date | None, res: Result) -> _Refusal | None:
    if start is None:
        return None
    origin = "enregistrée" if facts.regime == "archives" else "reçue"
    if facts.received is None:
        origin = "envoyée (réception inconnue)"
    first_month = add_months(start, 1)
    late_rule = None  # the rule on the latest reading of an unknown receipt, if another
    if facts.regime == "archives":
        rule = rules.IMPLICIT_REFUSAL_ARCHIVES
    elif facts.regime == "environment":
        if facts.extension is not None and facts.extension <= first_month:
            rule = rules.IMPLICIT_REFUSAL_ENV_EXTENDED
        else:
            rule = rules.IMPLICIT_REFUSAL_ENV
            late_first = add_months(latest_receipt(facts), 1)
            if facts.extension is not None and facts.extension <= late_first:
                # §12bis-9: received as late as the channel allows, the request was
                # still in its first month: the extension may be valid, so the safe
                # earliest referral waits for the extended implicit refusal.
                late_rule = rules.IMPLICIT_REFUSAL_ENV_EXTENDED
                late = add_months(latest_receipt(facts), late_rule.months)
                wait = ("" if facts.refusal is not None and facts.refusal <= late else
                        f", mais la saisine de la CADA attend le refus implicite prolongé, "
                        f"le {fr(late)} au plus tard")
                res.warnings.append(
                    f"Prolongation notifiée le {fr(facts.extension)}, après le premier mois "
                    f"compté depuis l'envoi (échu le {fr(first_month)}) : elle ne vaut que "
                    f"si la demande a été reçue moins d'un mois avant elle (R124-1). "
                    f"Réception inconnue : les délais courent sans elle{wait} ; enregistrez "
                    f"{receipt_proof(facts.sent_via)}."
                )
            elif facts.extension is not None:
                res.warnings.append(
                    f"Prolongation notifiée le {fr(facts.extension)}, après le premier mois "
                    f"(échu le {fr(first_month if facts.received is not None else late_first)}"
                    f") : elle ne prolonge pas le délai (R124-1)."
                )
    else:
        rule = rules.IMPLICIT_REFUSAL
    ir = add_months(start, rule.months)
    if facts.extension is not None and facts.regime != "environment":
        res.warnings.append(
            f"Prolongation annoncée le {fr(facts.extension)} : sans effet hors information "
            f"environnementale (R124-1 C. env.) ; le refus implicite reste né le {fr(ir)}."
        )
    clamp = " (fin de mois)" if ir.day != start.day else ""
    explanation = (f"{origin} le {fr(start)} + {rule.months} mois = {fr(ir)}{clamp} ; "
                   "jamais reporté, même un samedi, un dimanche ou un jour férié")
    safe = ir
    if rule is rules.IMPLICIT_REFUSAL_ENV_EXTENDED:
        safe = first_month
        explanation += f" ; date prudente : sans la prolongation, {fr(start)} + 1 mois = {fr(safe)}"
    late = (add_months(latest_receipt(facts), (late_rule or rule).months)
            if facts.received is None else ir)
    res.steps.append(Step(rule.key, ir, safe, rule.basis, explanation, start=start,
                          safe_start=start))
    return _Refusal(ir, safe, late, late_rule is not None)


@dataclass(frozen=True)
class _Trigger:
    """What starts the two months to refer to the CADA, on both readings."""

    legal: date
    safe: date
    what: str
    safe_what: str


def _cada_trigger(facts: Facts, ir: _Refusal | None, res: Result) -> _Trigger | None:
    refusal = facts.refusal
    implicit = None if ir is None else f"refus implicite du {fr(ir.legal)}"
    short = None if ir is None else (implicit if ir.safe == ir.legal else
                                     f"refus implicite sans la prolongation, le {fr(ir.safe)}")
    if refusal is None:
        return None if ir is None else _Trigger(ir.legal, ir.safe, implicit, short)
    express = f"refus exprès notifié le {fr(refusal)}"
    if ir is None or refusal <= ir.legal:
        # §12bis-8: a refusal between the two possible implicit refusals keeps the short
        # track for the safe date.
        if ir is not None and ir.safe < refusal:
            return _Trigger(refusal, ir.safe, express, short)
        return _Trigger(refusal, refusal, express, express)
    # §12bis-2: the window that a later refusal may reopen ends on its legal last day.
    tacit_end, _ = _extend(add_months(ir.legal, 2), "metropole")
    if refusal <= tacit_end:
        res.warnings.append(
            f"Refus exprès du {fr(refusal)} après le refus implicite du {fr(ir.legal)} : il "
            "rouvre le délai de saisine de la CADA (lecture juridique) ; la date prudente garde "
            "le délai le plus court."
        )
        return _Trigger(refusal, ir.safe, express, short)
    res.warnings.append(
        f"Refus exprès du {fr(refusal)} après l'expiration du délai de saisine ouvert par le "
        f"refus implicite (dernier jour {fr(tacit_end)}) : refus confirmatif, il ne rouvre pas "
        "le délai."
    )
    return _Trigger(ir.legal, ir.safe, implicit, short)


def _cada_steps(facts: Facts, trigger: _Trigger, ir: _Refusal | None, not_opposable: bool,
                res: Result) -> None:
    refusal = facts.refusal
    # §12bis-1: min(IR + 1, N). With the receipt unknown, the implicit refusal may be
    # born as late as ir.late: a refusal notified by then opens the referral at once
    # (R343-1 counts from its notification, on every reading of the receipt).
    rule = rules.CADA_DEADLINE
    end = add_months(trigger.legal, rule.months)
    legal, shift = _extend(end, "metropole")
    safe = add_months(trigger.safe, rule.months) - DAY
    if refusal is not None and (ir is None or refusal <= ir.late):
        earliest = earliest_safe = start = safe_start = refusal
        text = f"dès la notification du refus exprès du {fr(refusal)}"
        if ir is not None and ir.legal + DAY < refusal and not facts.pending_documents:
            # §12bis-9: receipt unknown, received on the day it was sent the request was
            # refused by silence first; the letter is the safe reading's start.
            earliest, start = ir.legal + DAY, ir.legal
            text = (f"lendemain du refus implicite du {fr(ir.legal)} (réception le jour de "
                    f"l'envoi) ; date prudente : dès la notification du refus exprès du "
                    f"{fr(refusal)}, avant le refus implicite le plus tardif ("
                    f"{fr(ir.late)}, réception supposée au plus tard le "
                    f"{fr(latest_receipt(facts))})")
        if facts.pending_documents and ir is not None:
            # §12bis-10: documents still pending are refused only at the implicit refusal.
            pending_from = ir.late + 2 * DAY
            if pending_from <= safe:
                earliest_safe, safe_start = pending_from, ir.late
                text += (f" pour les documents refusés ; ceux encore en attente ne sont "
                         f"refusés qu'au refus implicite du {fr(ir.late)} : date prudente "
                         f"{fr(earliest_safe)} (lendemain, plus un jour)")
            else:
                # One referral cannot come after the pending documents' refusal and
                # before the refused ones' deadline: two referrals (§7.1).
                text += " pour les documents refusés ; ceux encore en attente : seconde saisine"
                res.warnings.append(
                    f"Documents encore en attente : leur refus implicite naît au plus tard le "
                    f"{fr(ir.late)}, après la date prudente de saisine pour les documents "
                    f"refusés ({fr(safe)}) ; une seule saisine ne peut couvrir les deux. "
                    f"Saisissez la CADA pour les documents refusés au plus tard le "
                    f"{fr(safe)} (dernier jour légal {fr(legal)}), puis pour ceux en attente "
                    f"à partir du {fr(pending_from)}, au plus tard le "
                    f"{fr(add_months(ir.safe, rule.months) - DAY)} (R343-1 CRPA)."
                )
    else:
        # §12bis-1: a letter after the implicit refusal never moves this day later.
        # §12bis-9: with the receipt unknown, the legal day assumes it on the day of
        # sending, the safe day at the latest plausible receipt.
        earliest, earliest_safe, start = ir.legal + DAY, ir.late + 2 * DAY, ir.legal
        safe_start = ir.late
        text = (f"lendemain du refus implicite du {fr(ir.legal)} ; une saisine avant est "
                f"irrecevable ; date prudente : ")
        if ir.late != ir.legal:
            text += (f"lendemain du refus implicite le plus tardif, le {fr(ir.late)} "
                     f"(réception supposée au plus tard le {fr(latest_receipt(facts))}"
                     f"{', avec la prolongation' if ir.late_extended else ''}), plus un "
                     f"jour : {fr(earliest_safe)}")
        else:
            text += f"un jour de plus, {fr(earliest_safe)}"
    res.steps.append(Step("cada_earliest", earliest, earliest_safe, rules.CADA_EARLIEST.basis,
                          text, start=start, safe_start=safe_start))
    explanation = (f"{trigger.what} + {rule.months} mois = {fr(end)}{shift} ; date prudente : "
                   f"depuis le {trigger.safe_what} + {rule.months} mois − 1 jour = {fr(safe)} "
                   "(jour de l'événement compté, sans report)")
    res.steps.append(Step(rule.key, legal, safe, rule.basis, explanation,
                          opposable=not not_opposable, start=trigger.legal,
                          safe_start=trigger.safe))
    referral = facts.cada_sent or facts.cada_registered
    how = "envoyée" if facts.cada_sent else "enregistrée"
    if referral is not None and referral < earliest:
        res.warnings.append(
            f"Saisine de la CADA {how} le {fr(referral)}, avant le {fr(earliest)} : saisine "
            "prématurée, elle risque d'être jugée irrecevable (R343-1 CRPA)."
        )
    elif (referral is not None and ir is not None and ir.late != ir.legal
          and referral <= ir.late and (refusal is None or refusal > referral)):
        # Receipt unknown (§12bis-9): premature if the request was received late.
        res.warnings.append(
            f"Saisine de la CADA {how} le {fr(referral)}, avant le {fr(ir.late + DAY)} : "
            f"prématurée si la demande a été reçue tard (refus implicite au plus tard le "
            f"{fr(ir.late)}) ; enregistrez {receipt_proof(facts.sent_via)} pour le savoir "
            "(R343-1 CRPA)."
        )
    if facts.cada_sent is not None and facts.cada_sent > legal:
        res.warnings.append(
            f"Saisine de la CADA envoyée le {fr(facts.cada_sent)}, après le {fr(legal)} : "
            "tardive si les délais étaient opposables."
        )


def _court_steps(facts: Facts, zone: str, not_opposable: bool, trigger: _Trigger,
                 res: Result) -> None:
    from cada_tracker.deadlines import court

    rg = facts.cada_registered or facts.cada_sent
    if rg is None:
        if not_opposable:
            _reasonable(trigger.legal, f"du {trigger.what}", res)
        return
    court.court_steps(facts, zone, not_opposable, rg, res)


def _reasonable(base: date, what: str, res: Result) -> None:
    rule = rules.REASONABLE_DELAY
    end = add_months(base, rule.months)
    res.steps.append(Step(
        rule.key, end, end, rule.basis,
        f"délais inopposables : au plus un an à compter {what} = {fr(end)} ; "
        "borne extrême, à ne pas viser", opposable=False, start=base, safe_start=base))


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def result_as_dict(result: Result) -> dict:
    return {
        "steps": [
            {
                "key": s.key,
                "date": s.date.isoformat(),
                "safe_date": _iso(s.safe_date),
                "basis": s.basis,
                "explanation": s.explanation,
                "opposable": s.opposable,
                "indicative": s.indicative,
                "start": _iso(s.start),
                "safe_start": _iso(s.safe_start),
            }
            for s in result.steps
        ],
        "warnings": list(result.warnings),
        "opposable": result.opposable,
    }
