"""Alaveteli events → the events cada records (pure; the table is in the package doc).

>>> from datetime import datetime, timezone
>>> sent = AlaveteliEvent(1, "sent", datetime(2026, 6, 2, 9, tzinfo=timezone.utc))
>>> [(p.kind, p.on.isoformat()) for p in plan_events([sent])]
[('sent', '2026-06-02')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cada_tracker.madada.reader import AlaveteliEvent, Archive, ArchiveEntry

ANSWER_OF = {"successful": "full", "partially_successful": "partial",
             "rejected": "refusal", "not_held": "refusal"}

#: What to check when Ma Dada's classification is recorded as a refusal.
CHECK_OF = {
    "rejected": "Ma Dada classe cette réponse comme un refus (« rejected ») : à vérifier "
                "dans la réponse (documents refusés, motif, mention des voies et délais).",
    "not_held": "Ma Dada classe cette réponse « information non détenue » (« not_held ») : "
                "enregistrée comme un refus, à vérifier (l'administration dit ne pas détenir "
                "le document ; la CADA peut être saisie pour le vérifier).",
}

#: States that become a note (French: what the state says).
NOTE_OF = {
    "internal_review": "demande de révision interne (« internal_review ») : sur Ma Dada, le "
                       "plus souvent un recours gracieux",
    "waiting_clarification": "l'administration demande des précisions "
                             "(« waiting_clarification »)",
    "gone_postal": "réponse traitée par courrier postal (« gone_postal »)",
    "error_message": "message d'erreur de distribution (« error_message »)",
    "requires_admin": "réponse inhabituelle signalée aux administrateurs (« requires_admin »)",
    "attention_requested": "demande signalée aux administrateurs (« attention_requested »)",
    "vexatious": "demande jugée abusive par les administrateurs du site (« vexatious »)",
    "not_foi": "jugée hors du droit d'accès par les administrateurs du site (« not_foi »)",
}

#: States that say nothing cada does not compute itself.
IGNORED_STATES = {"waiting_response", "waiting_response_overdue",
                  "waiting_response_very_overdue", "waiting_classification"}

#: Event types with no meaning for the legal record: the site's own clock (cada
#: computes its own) and administrators' edits.
IGNORED_TYPES = {
    "overdue", "very_overdue", "edit", "edit_outgoing", "edit_comment", "edit_incoming",
    "edit_attachment", "destroy_comment", "destroy_incoming", "destroy_outgoing",
    "redeliver_incoming", "erase_raw_email", "erase_attachment", "move_request", "hide",
    "hide_comment", "manual", "report_comment", "report_request", "public_token",
    "set_embargo", "expire_embargo", "embargo_expiring",
}

TYPE_NOTE = {
    "resent": "demande renvoyée à l'administration par Ma Dada",
    "followup_resent": "message de suivi renvoyé par Ma Dada",
    "followup_sent": "message de suivi envoyé sur Ma Dada (relance ou précision)",
    "comment": "annotation publiée sur la page Ma Dada de la demande",
    "send_error": "erreur d'envoi signalée par Ma Dada : vérifiez que la demande est "
                  "bien parvenue",
    "refusal_advice": "conseils après refus consultés sur Ma Dada",
}


@dataclass
class Planned:
    """One event to record: ``key`` names the Alaveteli event it comes from."""

    key: str
    kind: str  # sent | answer | note | close
    on: date
    outcome: str | None = None
    reason: str | None = None
    channel: str | None = None
    text: str | None = None
    files: list[ArchiveEntry] = field(default_factory=list)
    listed: bool = False  # a note about what could not be mapped: listed in the report


def _note(event: AlaveteliEvent, what: str, *, suffix: str = "") -> Planned:
    return Planned(key=f"alaveteli:{event.id}{suffix}", kind="note", on=event.on,
                   text=f"Ma Dada (événement n° {event.id}, « {event.type} ») : {what}.",
                   listed=True)


def _answer_consumed(events: list[AlaveteliEvent], index: int, state: str) -> bool:
    """Whether a status update only classified the response before it (Alaveteli copies
    the state onto that response's ``calculated_state``, already mapped)."""
    for prior in reversed(events[:index]):
        if prior.type in ("comment", "overdue", "very_overdue", "status_update", "edit"):
            continue
        return prior.type == "response" and _state_of(prior) == state
    return False


def _state_of(event: AlaveteliEvent) -> str | None:
    if event.type == "response":
        return event.calculated_state or event.described_state
    return event.described_state


def plan_events(events, archive: Archive | None = None) -> list[Planned]:
    """The cada events of an Alaveteli request's events (in their order)."""
    events = list(events)
    planned: list[Planned] = []
    responses = 0
    has_sent = False
    for index, event in enumerate(events):
        state = _state_of(event)
        key = f"alaveteli:{event.id}"
        if event.type == "sent" and not has_sent:
            has_sent = True
            files = [e for e in archive.entries if e.name == "correspondence.txt"] \
                if archive else []
            planned.append(Planned(key=key, kind="sent", on=event.on, channel="email",
                                   text="Envoyée par Ma Dada.", files=files))
        elif event.type == "response":
            responses += 1
            files = archive.for_message(responses) if archive else []
            planned.extend(_response(event, state, files))
        elif event.type == "status_update":
            if state is None or state in IGNORED_STATES:
                continue
            if state in ANSWER_OF and _answer_consumed(events, index, state):
                continue
            planned.extend(_status(event, state))
        elif event.type in ("followup_sent", "sent") and state == "internal_review":
            planned.append(_note(event, NOTE_OF["internal_review"]))
        elif event.type in IGNORED_TYPES:
            continue
        elif event.type == "sent":
            planned.append(_note(event, "nouvel envoi de la demande"))
        else:
            planned.append(_note(event, TYPE_NOTE.get(
                event.type, f"événement « {event.type} » sans équivalent dans cada")))
    if archive is not None:
        stray = [e for e in archive.entries
                 if e.name != "correspondence.txt" and (e.message is None
                                                        or e.message > responses)]
        if stray and events:
            last = events[-1]
            note = _note(last, f"{len(stray)} fichier(s) du ZIP sans message reçu "
                               "correspondant", suffix=":zip")
            note.files = stray
            planned.append(note)
    return planned


def _response(event: AlaveteliEvent, state: str | None, files) -> list[Planned]:
    key = f"alaveteli:{event.id}"
    label = f"message n° {event.incoming_message_id}" if event.incoming_message_id else "message"
    if state in ANSWER_OF:
        answer = Planned(key=key, kind="answer", on=event.on, outcome=ANSWER_OF[state],
                         text=f"Réponse reçue sur Ma Dada ({label}), classée « {state} ».",
                         files=files)
        if state in CHECK_OF:
            check = _note(event, CHECK_OF[state].rstrip("."), suffix=":check")
            return [answer, check]
        return [answer]
    if state is None or state in IGNORED_STATES:
        what = ("réponse reçue, non classée sur Ma Dada : à qualifier avec cada answer"
                if state in (None, "waiting_classification") else
                "réponse reçue, classée « en attente de réponse » (accusé de réception ?) : "
                "à qualifier avec cada ack ou cada answer")
    elif state == "user_withdrawn":
        what = "réponse reçue avant le retrait de la demande"
    else:
        what = "réponse reçue, " + NOTE_OF.get(state, f"classée « {state} »")
    note = _note(event, what)
    note.files = files
    return [note]


def _status(event: AlaveteliEvent, state: str) -> list[Planned]:
    key = f"alaveteli:{event.id}"
    if state == "user_withdrawn":
        return [Planned(key=key, kind="close", on=event.on, reason="withdrawn",
                        text="Demande retirée sur Ma Dada (« user_withdrawn »).")]
    if state in ANSWER_OF:
        answer = Planned(key=key, kind="answer", on=event.on, outcome=ANSWER_OF[state],
                         text=f"Statut « {state} » indiqué sur Ma Dada sans message reçu "
                              "(réponse postale ?) : date du changement de statut, à "
                              "vérifier.")
        check = _note(event, "statut changé sans message reçu : vérifiez la date et le "
                             "contenu de la réponse", suffix=":check")
        return [answer, check]
    return [_note(event, NOTE_OF.get(state, f"statut « {state} » sans équivalent dans cada"))]
