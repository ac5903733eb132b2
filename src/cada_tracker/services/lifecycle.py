"""A request's life, derived from its events (pure: no database, no clock).

Status and document outcomes are never typed in: they follow from the events
that are not cancelled. ``check_new_event`` refuses an event that makes no sense
for the request's state, with the reason.

>>> from datetime import date
>>> evs = [Ev(1, "sent", date(2026, 1, 5)), Ev(2, "received", date(2026, 1, 7))]
>>> derive_status(evs)
'received'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cada_tracker.dates import format_fr
from cada_tracker.errors import InputError, StateError
from cada_tracker.vocab import EVENT_KINDS


_DIGITS = re.compile(r"\A[0-9]{1,6}\Z")  # str.isdigit() also accepts "¹" or "٣"


@dataclass(frozen=True)
class Ev:
    id: int
    kind: str
    on: date
    outcome: str | None = None
    got: str | None = None
    refused: str | None = None
    cancels_id: int | None = None
    mentions: bool | None = None
    channel: str | None = None
    number: int | None = None  # its rank within its request (#1, #2…), when known
    reason: str | None = None  # why a request was closed (close events)


def tag(e: Ev) -> str:
    """How an event is named to the user: ``#2``, its number within its request."""
    return f"#{e.number if e.number is not None else e.id}"


def ev_of(e) -> Ev:
    """The pure view of a stored event (any object with an event's attributes)."""
    return Ev(id=e.id, kind=e.kind, on=e.on, outcome=e.outcome, got=e.got, refused=e.refused,
              cancels_id=e.cancels_id, mentions=e.mentions, channel=e.channel,
              reason=e.reason)


def refuses(e: Ev) -> bool:
    """An answer that refuses documents: a refusal, or a partial answer refusing some."""
    return e.kind == "answer" and (e.outcome == "refusal"
                                   or (e.outcome == "partial" and bool(e.refused)))


def active(events: list[Ev]) -> list[Ev]:
    """Events that count: not cancel events, and not cancelled by one."""
    cancelled = {e.cancels_id for e in events if e.kind == "cancel"}
    return sorted(
        (e for e in events if e.kind != "cancel" and e.id not in cancelled),
        key=lambda e: (e.on, e.id),
    )


def first(events: list[Ev], kind: str) -> Ev | None:
    return next((e for e in active(events) if e.kind == kind), None)


_ANSWER_STATUS = {
    "full": "answered",
    "partial": "partial",
    "refusal": "refused",
    "fees": "fees",
    "extension": "extended",
}
_STEP_STATUS = {
    "received": "received",
    "referred": "referred",
    "registered": "referred",
    "opinion": "opinion",
    "court": "court",
}


def derive_status(events: list[Ev], regime: str = "general") -> str:
    """The state of the latest step (by date) of the request's life.

    An extension prolongs the delay only for environmental information (R124-1 C.
    env.): elsewhere it leaves the status as it was.
    """
    evs = active(events)
    if any(e.kind == "close" for e in evs):
        return "closed"
    status = "sent" if any(e.kind == "sent" for e in evs) else "draft"
    for e in evs:
        if e.kind == "answer" and e.outcome == "extension" and regime != "environment":
            continue
        if e.kind == "answer":
            status = _ANSWER_STATUS[e.outcome or "partial"]
        elif e.kind in _STEP_STATUS:
            status = _STEP_STATUS[e.kind]
    return status


def parse_positions(text: str | None, *, count: int, field: str) -> list[int]:
    """``"1,3"`` → [1, 3], each between 1 and ``count``."""
    if not text:
        return []
    positions: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            lo, _, hi = part.partition("-")
            if not (_DIGITS.match(lo) and _DIGITS.match(hi)) or int(lo) > int(hi):
                raise InputError(f"{field} : « {part[:40]} » n'est pas un intervalle (ex. 2-4).")
            values = range(int(lo), int(hi) + 1)
        elif _DIGITS.match(part):
            values = [int(part)]
        else:
            raise InputError(
                f"{field} : « {part[:40]} » n'est pas un numéro de document (ex. {field} 1,3)."
            )
        for value in values:
            if not 1 <= value <= count:
                raise InputError(
                    f"{field} : le document n° {value} n'existe pas "
                    f"(la demande en compte {count})."
                )
            if value not in positions:
                positions.append(value)
    return positions


ANSWER_OUTCOMES = ("full", "partial", "refusal", "fees")  # answers that decide something


def derive_summary(events: list[Ev], outcomes: dict[int, str]) -> dict:
    """What the statistics read of a request (``cada stats``, ``cada campaign``), stored
    with it (migration 0014): the first answer that decides something (documents,
    refusal or fees; not an extension), an express refusal among those answers, the
    first referral to the CADA, the first closing and its reason, and whether
    something was obtained (a document, or a closing as obtained), and the response
    time: days from the receipt (else the sending) to that first answer (migration
    0020). ``outcomes``: :func:`derive_outcomes`."""
    evs = active(events)
    answers = [e for e in evs if e.kind == "answer" and e.outcome in ANSWER_OUTCOMES]
    referred = next((e for e in evs if e.kind == "referred"), None)
    close = next((e for e in evs if e.kind == "close"), None)
    reason = close.reason if close else None
    start = (next((e for e in evs if e.kind == "received"), None)
             or next((e for e in evs if e.kind == "sent"), None))
    return {
        "answered_on": answers[0].on if answers else None,
        "response_days": (answers[0].on - start.on).days if answers and start else None,
        "express_refusal": any(refuses(a) for a in answers),
        "referred_on": referred.on if referred else None,
        "closed_on": close.on if close else None,
        "closed_reason": reason,
        "obtained": "obtained" in outcomes.values() or reason == "obtained",
    }


def derive_outcomes(events: list[Ev], count: int) -> dict[int, str]:
    """Outcome of each requested document (1-based position)."""
    outcomes = {p: "pending" for p in range(1, count + 1)}
    for e in active(events):
        if e.kind != "answer":
            continue
        got = parse_positions(e.got, count=count, field="--got")
        refused = parse_positions(e.refused, count=count, field="--refused")
        if e.outcome == "full" and not got and not refused:
            got = [p for p, o in outcomes.items() if o != "obtained"]
        if e.outcome == "refusal" and not got and not refused:
            refused = [p for p, o in outcomes.items() if o == "pending"]
        for p in got:
            outcomes[p] = "obtained"
        for p in refused:
            outcomes[p] = "refused"
    return outcomes


# An event that cannot predate another one: kind -> (the other kind, message).
_NOT_BEFORE = {
    "opinion": ("registered", "L'avis du {on} serait antérieur à l'enregistrement de la "
                              "saisine par la CADA le {prior}."),
    "ack": ("received", "L'accusé de réception du {on} serait antérieur à la réception de la "
                        "demande le {prior}."),
    "answer": ("received", "La réponse du {on} serait antérieure à la réception de la "
                           "demande le {prior}."),
}


def check_new_event(events: list[Ev], kind: str, on: date) -> None:
    """Raise StateError when ``kind`` on ``on`` makes no sense after ``events``."""
    evs = active(events)
    label = EVENT_KINDS[kind]
    closed = next((e for e in evs if e.kind == "close"), None)
    if closed and kind not in ("note", "mail", "bounce"):  # mail still arrives
        raise StateError(
            f"La demande est close depuis le {format_fr(closed.on)} : impossible "
            f"d'enregistrer « {label} » (annulez la clôture, événement {tag(closed)}, "
            "avec cada cancel)."
        )
    if kind in ("received", "ack", "answer", "remind", "referred"):
        sent = next((e for e in evs if e.kind == "sent"), None)
        if sent is None:
            raise StateError(
                f"Impossible d'enregistrer « {label} » : la demande n'a pas encore été "
                "envoyée (enregistrez d'abord l'envoi avec cada sent)."
            )
        if on < sent.on:
            raise StateError(
                f"« {label} » le {format_fr(on)} serait antérieur à l'envoi du "
                f"{format_fr(sent.on)}."
            )
    if kind in ("registered", "opinion", "court"):
        referred = next((e for e in evs if e.kind == "referred"), None)
        if referred is None:
            why = (" : la saisine de la CADA est un préalable obligatoire au recours "
                   "contentieux (L342-1 CRPA)") if kind == "court" else ""
            raise StateError(
                f"Impossible d'enregistrer « {label} » : la CADA n'a pas été saisie{why} "
                "(enregistrez d'abord la saisine avec cada refer)."
            )
        if on < referred.on:
            raise StateError(
                f"« {label} » le {format_fr(on)} serait antérieur à la saisine de la CADA "
                f"du {format_fr(referred.on)}."
            )
    if kind == "received":
        answer = next((e for e in evs if e.kind == "answer" and e.on < on), None)
        if answer is not None:
            raise StateError(
                f"La réception le {format_fr(on)} serait postérieure à la réponse du "
                f"{format_fr(answer.on)} (événement {tag(answer)})."
            )
    if kind in _NOT_BEFORE:
        prior_kind, message = _NOT_BEFORE[kind]
        prior = next((e for e in evs if e.kind == prior_kind), None)
        if prior is not None and on < prior.on:
            raise StateError(message.format(on=format_fr(on), prior=format_fr(prior.on)))
    if kind in ("received", "ack", "registered", "referred", "court", "opinion"):
        same = next((e for e in evs if e.kind == kind), None)
        if same is not None:
            raise StateError(
                f"« {label} » est déjà enregistré le {format_fr(same.on)} (événement "
                f"{tag(same)}) ; pour le corriger, annulez-le d'abord avec cada cancel."
            )


def check_cancel(events: list[Ev], target_id: int) -> Ev:
    target = next((e for e in events if e.id == target_id), None)
    if target is None:
        ids = ", ".join(tag(e) for e in active(events)) or "aucun"
        raise StateError(
            f"L'événement #{target_id} n'appartient pas à cette demande "
            f"(événements actifs : {ids})."
        )
    if target.kind == "cancel":
        raise StateError(f"L'événement {tag(target)} est lui-même une annulation.")
    if any(e.kind == "cancel" and e.cancels_id == target_id for e in events):
        raise StateError(f"L'événement {tag(target)} est déjà annulé.")
    return target


def by_number(events: list[Ev], number: int) -> Ev:
    """The event numbered ``number`` within its request (StateError when none is)."""
    if 1 <= number <= len(events):
        return events[number - 1]
    active_ones = ", ".join(tag(e) for e in active(events)) or "aucun"
    raise StateError(f"Cette demande n'a pas d'événement #{number} (événements actifs : "
                     f"{active_ones}).")
