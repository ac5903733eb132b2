"""The CRPA deadline engine: pure (no clock, no database, no configuration).

>>> from datetime import date
>>> r = compute(Facts(received=date(2026, 1, 31)))
>>> r.step("implicit_refusal").date, r.step("cada_deadline").safe_date
(datetime.date(2026, 2, 28), datetime.date(2026, 4, 27))

Every step carries its legal reading (``date``), a ``safe_date`` (the earliest
plausible reading, never extended: the date users are asked to act before; for
``cada_earliest`` it is the later, immune date), its article(s) and a one-line
French explanation of the counting. Rule book: ../shared/legal/RULES.md §10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cada_tracker.deadlines import rules
from cada_tracker.deadlines.rules import Rule, add_months

DAY = timedelta(days=1)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Facts:
    regime: str = "general"
    sent: date | None = None
    received: date | None = None
    ack_mentions: bool | None = None
    extension: date | None = None
    refusal: date | None = None
    refusal_mentions: bool | None = None
    full_answer: date | None = None
    cada_sent: date | None = None
    cada_registered: date | None = None
    opinion: date | None = None
    opinion_verdict: str | None = None
    confirmation: date | None = None
    closed: bool = False


@dataclass(frozen=True)
class Step:
    key: str
    date: date
    safe_date: date | None
    basis: str
    explanation: str
    opposable: bool = True
    indicative: bool = False


@dataclass
class Result:
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    opposable: bool = True

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


def _extend(d: date, zone: str) -> tuple[date, str]:
    """Art. 642 CPC: a deadline ending on a Saturday, Sunday or holiday moves on."""
    from cada_tracker.deadlines.calendar import holiday_name, next_working_day

    moved = next_working_day(d, zone)
    if moved == d:
        return d, ""
    why = holiday_name(d, zone) or WEEKDAYS[d.weekday()]
    return moved, (f" ; {fr(d)} ({why}) → reporté au {WEEKDAYS[moved.weekday()]} "
                   f"{fr(moved)} (art. 642 CPC)")


def _months(n: int) -> str:
    return f"{n} mois"


def compute(facts: Facts, *, zone: str = "metropole") -> Result:
    res = Result()
    start = facts.received or facts.sent
    if facts.received is None and facts.sent is not None:
        res.warnings.append(
            f"Date de réception inconnue : les délais partent de l'envoi du {fr(facts.sent)}, "
            "lecture la plus précoce ; enregistrez la date de l'avis de réception."
        )
    not_opposable = _opposability(facts, res)
    ir = _implicit_refusal(facts, start, res)
    if facts.full_answer is not None and (ir is None or facts.full_answer <= ir[0]):
        return res  # everything communicated before any refusal: nothing to escalate
    trigger = _cada_trigger(facts, ir, res)
    if trigger is None:
        return res
    legal_trigger, safe_trigger, what = trigger
    _cada_steps(facts, legal_trigger, safe_trigger, what, ir, not_opposable, res)
    _court_steps(facts, zone, not_opposable, legal_trigger, what, res)
    return res


def _opposability(facts: Facts, res: Result) -> bool:
    """True when the delays are NOT opposable (L112-6 CRPA, R421-5 CJA)."""
    express_ok = facts.refusal is not None and facts.refusal_mentions is True
    reasons = []
    if facts.ack_mentions is not True and not express_ok:
        reasons.append("aucun accusé de réception complet (L112-3, R112-5) n'a été reçu"
                       if facts.ack_mentions is None else
                       "l'accusé de réception ne mentionnait pas les voies et délais")
    if facts.refusal is not None and facts.refusal_mentions is False:
        reasons.append("le refus ne mentionnait pas les voies et délais de recours (R421-5 CJA)")
    if reasons:
        res.opposable = False
        res.warnings.append(
            "Délais de recours inopposables : " + " ; ".join(reasons) + " (L112-6 CRPA). "
            "Un délai raisonnable d'un an s'applique alors ; visez quand même les dates "
            "strictes."
        )
    return bool(reasons)


def _implicit_refusal(facts: Facts, start: date | None, res: Result):
    if start is None:
        return None
    origin = "enregistrée" if facts.regime == "archives" else "reçue"
    if facts.regime == "archives":
        rule = rules.IMPLICIT_REFUSAL_ARCHIVES
    elif facts.regime == "environment":
        first_month = add_months(start, 1)
        if facts.extension is not None and facts.extension <= first_month:
            rule = rules.IMPLICIT_REFUSAL_ENV_EXTENDED
        else:
            rule = rules.IMPLICIT_REFUSAL_ENV
            if facts.extension is not None:
                res.warnings.append(
                    f"Prolongation notifiée le {fr(facts.extension)}, après le premier mois "
                    f"(échu le {fr(first_month)}) : elle ne prolonge pas le délai (R124-1)."
                )
    else:
        rule = rules.IMPLICIT_REFUSAL
    ir = add_months(start, rule.months)
    clamp = " (fin de mois)" if ir.day != start.day else ""
    explanation = (f"{origin} le {fr(start)} + {_months(rule.months)} = {fr(ir)}{clamp} ; "
                   "jamais reporté, même un samedi, un dimanche ou un jour férié")
    safe = ir
    if rule is rules.IMPLICIT_REFUSAL_ENV_EXTENDED:
        safe = add_months(start, 1)
        explanation += f" (sans la prolongation : {fr(safe)})"
    res.steps.append(Step(rule.key, ir, safe, rule.basis, explanation))
    return ir, safe


def _cada_trigger(facts: Facts, ir, res: Result):
    """(legal trigger, safe trigger, description) of the two months to refer to the CADA."""
    if facts.refusal is None:
        if ir is None:
            return None
        return ir[0], ir[1], f"refus implicite du {fr(ir[0])}"
    refusal = facts.refusal
    if ir is None or refusal <= ir[0]:
        return refusal, refusal, f"refus exprès notifié le {fr(refusal)}"
    tacit_deadline = add_months(ir[0], 2)
    if refusal <= tacit_deadline:
        res.warnings.append(
            f"Refus exprès du {fr(refusal)} après le refus implicite du {fr(ir[0])} : il rouvre "
            "le délai de saisine de la CADA (lecture juridique) ; la date prudente garde le "
            "délai le plus court."
        )
        return refusal, ir[1], f"refus exprès notifié le {fr(refusal)}"
    res.warnings.append(
        f"Refus exprès du {fr(refusal)} après l'expiration du délai de saisine ouvert par le "
        f"refus implicite : refus confirmatif, il ne rouvre pas le délai."
    )
    return ir[0], ir[1], f"refus implicite du {fr(ir[0])}"


def _cada_steps(facts, legal_trigger, safe_trigger, what, ir, not_opposable, res):
    if facts.refusal is not None and (ir is None or facts.refusal <= ir[0]):
        earliest, earliest_safe = facts.refusal, facts.refusal
        text = f"dès la notification du refus exprès ({fr(facts.refusal)})"
    else:
        earliest, earliest_safe = legal_trigger + DAY, ir[0] + 2 * DAY
        text = (f"lendemain du refus implicite ({fr(legal_trigger)}) ; une saisine avant "
                "est irrecevable ; par prudence un jour de plus")
    res.steps.append(Step("cada_earliest", earliest, earliest_safe, rules.CADA_EARLIEST.basis,
                          text))
    rule = rules.CADA_DEADLINE
    end = add_months(legal_trigger, rule.months)
    legal, shift = _extend(end, "metropole")
    safe = add_months(safe_trigger, rule.months) - DAY
    explanation = (f"{what} + {_months(rule.months)} = {fr(end)}{shift} ; date prudente : "
                   f"{fr(safe)} (jour de l'événement compté, sans report)")
    res.steps.append(Step(rule.key, legal, safe, rule.basis, explanation,
                          opposable=not not_opposable))
    if facts.cada_sent is not None and facts.cada_sent < earliest:
        res.warnings.append(
            f"Saisine de la CADA envoyée le {fr(facts.cada_sent)}, avant le {fr(earliest)} : "
            "elle risque d'être jugée prématurée (irrecevable)."
        )
    if facts.cada_sent is not None and facts.cada_sent > legal:
        res.warnings.append(
            f"Saisine de la CADA envoyée le {fr(facts.cada_sent)}, après le {fr(legal)} : "
            "tardive si les délais étaient opposables."
        )


def _court_steps(facts: Facts, zone: str, not_opposable: bool, refusal: date, what: str,
                 res: Result) -> None:
    rg = facts.cada_registered or facts.cada_sent
    if rg is None:
        if not_opposable:
            _reasonable(refusal, f"du {what}", res)
        return
    rg_safe = facts.cada_sent or facts.cada_registered
    if facts.cada_registered is None:
        res.warnings.append(
            f"Date d'enregistrement par la CADA inconnue : l'envoi du {fr(facts.cada_sent)} "
            "est pris comme date d'enregistrement (lecture la plus précoce)."
        )
    opinion_due = add_months(rg, 1)
    res.steps.append(Step(
        "cada_opinion_due", opinion_due, None, rules.CADA_OPINION_DUE.basis,
        f"enregistrée le {fr(rg)} + 1 mois = {fr(opinion_due)} (délai indicatif, non "
        "sanctionné : 52 à 59 jours en moyenne)", indicative=True))
    confirmed = add_months(rg, 2)
    confirmed_safe = add_months(rg_safe, 2)
    text = (f"saisine enregistrée le {fr(rg)} + 2 mois = {fr(confirmed)} ; silence de "
            "l'administration = confirmation du refus, même sans avis de la CADA ; jamais "
            "reporté")
    trigger, trigger_safe = confirmed, confirmed_safe
    if facts.confirmation is not None and facts.confirmation < confirmed:
        trigger = trigger_safe = facts.confirmation
        text = f"refus exprès confirmé le {fr(facts.confirmation)} (avant le {fr(confirmed)})"
        confirmed = confirmed_safe = facts.confirmation
    res.steps.append(Step("confirmed_refusal", confirmed, confirmed_safe,
                          rules.CONFIRMED_REFUSAL.basis, text))
    rule = rules.COURT_DEADLINE
    echeance = add_months(trigger, rule.months)
    legal, shift = _extend(echeance + DAY, zone)
    safe = min(add_months(trigger_safe, 2), add_months(trigger_safe + DAY, 2))
    explanation = (f"refus confirmé le {fr(trigger)} + 2 mois = {fr(echeance)}, délai franc : "
                   f"{fr(echeance + DAY)}{shift} ; date prudente : {fr(safe)} (sans le jour "
                   "franc ni report ; dépôt au greffe, pas le cachet de la poste)")
    if (facts.confirmation is not None and facts.confirmation >= confirmed
            and facts.confirmation <= legal):
        late = add_months(facts.confirmation, 2)
        legal, shift = _extend(late + DAY, zone)
        explanation += (f" ; refus exprès du {fr(facts.confirmation)} : nouveau délai jusqu'au "
                        f"{fr(legal)} (R421-2), la date prudente garde le plus court")
    res.steps.append(Step(rule.key, legal, safe, rule.basis, explanation,
                          opposable=not not_opposable))
    if not_opposable:
        _reasonable(trigger, f"du refus confirmé le {fr(trigger)}", res)


def _reasonable(base: date, what: str, res: Result) -> None:
    rule: Rule = rules.REASONABLE_DELAY
    end = add_months(base, rule.months)
    res.steps.append(Step(
        rule.key, end, end, rule.basis,
        f"délais inopposables : au plus un an à compter {what} = {fr(end)} ; "
        "borne extrême, à ne pas viser", opposable=False))


def result_as_dict(result: Result) -> dict:
    return {
        "steps": [
            {
                "key": s.key,
                "date": s.date.isoformat(),
                "safe_date": s.safe_date.isoformat() if s.safe_date else None,
                "basis": s.basis,
                "explanation": s.explanation,
                "opposable": s.opposable,
                "indicative": s.indicative,
            }
            for s in result.steps
        ],
        "warnings": list(result.warnings),
        "opposable": result.opposable,
    }
