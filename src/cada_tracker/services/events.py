"""Recording the dated events of a request's life, and refreshing what derives from them."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker import dbfiles, filestore
from cada_tracker.dates import not_in_future
from cada_tracker.errors import InputError
from cada_tracker.models import Event, Request, RequestedDocument, StoredFile, utcnow
from cada_tracker.services import lifecycle
from cada_tracker.services.clock import refresh_deadlines
from cada_tracker.services.requests import documents_of
from cada_tracker.vocab import CHANNELS, CLOSE_REASONS, OUTCOMES, VERDICTS, choice


@dataclass
class NewEvent:
    kind: str
    on: date
    channel: str | None = None
    tracking: str | None = None
    outcome: str | None = None
    mentions: bool | None = None
    got: str | None = None
    refused: str | None = None
    reason: str | None = None
    text: str | None = None
    cancels_id: int | None = None
    cancels_number: int | None = None  # the event cancelled, by its number in the request
    attachments: list[Path] = field(default_factory=list)
    #: Files cada produced for this event (the letter sent): (file name, content).
    produced: list[tuple[str, bytes]] = field(default_factory=list)


def events_of(session: Session, request_id: int) -> list[Event]:
    return list(
        session.exec(select(Event).where(Event.request_id == request_id).order_by(Event.id))
    )


as_ev = lifecycle.ev_of  # the stored event, as the pure lifecycle sees it


def history_of(session: Session, request_id: int) -> list[lifecycle.Ev]:
    """The request's events as the lifecycle sees them, numbered #1, #2… in the order
    they were recorded: events are never deleted, so a number never changes."""
    from dataclasses import replace

    return [replace(as_ev(e), number=n)
            for n, e in enumerate(events_of(session, request_id), start=1)]


def event_number(session: Session, event: Event) -> int:
    """``event``'s number within its request (see :func:`history_of`)."""
    from sqlmodel import func

    return session.exec(select(func.count()).select_from(Event).where(
        Event.request_id == event.request_id, Event.id <= event.id)).one()


def _normalise(new: NewEvent, doc_count: int) -> NewEvent:
    if new.kind == "sent":
        new.channel = choice(new.channel or "", CHANNELS, field="--via")
        new.tracking = (new.tracking or "").strip() or None
    if new.kind == "answer":
        new.outcome = choice(new.outcome or "", OUTCOMES, field="--outcome")
        got = lifecycle.parse_positions(new.got, count=doc_count, field="--got")
        refused = lifecycle.parse_positions(new.refused, count=doc_count, field="--refused")
        both = sorted(set(got) & set(refused))
        if both:
            raise InputError(
                f"Le document n° {both[0]} ne peut pas être à la fois obtenu (--got) et "
                "refusé (--refused)."
            )
        if new.outcome == "full" and refused:
            raise InputError("Une communication complète (--outcome full) ne refuse rien : "
                             "utilisez --outcome partial.")
        new.got = ",".join(map(str, got)) or None
        new.refused = ",".join(map(str, refused)) or None
    if new.kind == "opinion":
        new.outcome = choice(new.outcome or "", VERDICTS, field="--verdict")
    if new.kind in ("remind", "referred") and new.channel:
        new.channel = choice(new.channel, CHANNELS, field="--via")
    if new.kind == "close":
        new.reason = choice(new.reason or "", CLOSE_REASONS, field="--reason")
    if new.kind == "note" and not (new.text or "").strip():
        raise InputError("Une note ne peut pas être vide.")
    if len(new.text or "") > NOTE_MAX:
        raise InputError(f"La note fait {len(new.text)} caractères, {NOTE_MAX} au plus "
                         "(joignez plutôt un fichier avec --attach).")
    for path in new.attachments:
        if not path.is_file():
            raise InputError(f"--attach : fichier introuvable ou illisible : {path}")
        filestore.check_size(path)
    return new


NOTE_MAX = 10_000  # characters of a note; longer texts belong in an attached file


@contextmanager
def files_removed_on_failure(data_dir: Path | None = None) -> Iterator[list[Path]]:
    """Collect the files written for a transaction; remove them if it fails.

    Stored files are written before the transaction commits (they are named by
    their content, and existing ones are never rewritten): wrap the whole
    ``with session(write=True)`` block so that a failure, even at commit, leaves
    no new file behind. With ``data_dir``, the files are also listed in a journal
    there first, so that a killed command's files are removed by the next one.
    """
    from cada_tracker.filestore import Journal

    written = Journal(data_dir) if data_dir is not None else []
    try:
        yield written
    except BaseException:
        _close(written, failed=True)
        raise
    _close(written, failed=False)


def _close(written: list[Path], *, failed: bool) -> None:
    if hasattr(written, "close"):
        written.close(failed=failed)
    elif failed:
        for path in written:
            path.unlink(missing_ok=True)


def record_event(
    session: Session, *, request: Request, new: NewEvent, today: date, files_dir: Path,
    written: list[Path] | None = None,
) -> Event:
    """Append one event, store its attachments, refresh the derived state.

    New files are added to ``written`` (see :func:`files_removed_on_failure`).
    """
    not_in_future(new.on, today, field="--on")
    lock_request(session, request)
    documents = documents_of(session, request.id)
    new = _normalise(new, len(documents))
    history = history_of(session, request.id)
    if new.kind == "cancel":
        if new.cancels_number is not None:
            new.cancels_id = lifecycle.by_number(history, new.cancels_number).id
        lifecycle.check_cancel(history, new.cancels_id)
    else:
        lifecycle.check_new_event(history, new.kind, new.on)
    event = Event(
        request_id=request.id, kind=new.kind, on=new.on, channel=new.channel,
        tracking=new.tracking, outcome=new.outcome, mentions=new.mentions, got=new.got,
        refused=new.refused, reason=new.reason, text=(new.text or "").strip() or None,
        cancels_id=new.cancels_id, recorded_by=_whoami(),
    )
    session.add(event)
    session.flush()
    written = written if written is not None else []
    mine = len(written)
    try:
        folder = files_dir / request.reference
        shared = dbfiles.uses_database(session)  # PostgreSQL: the bytes go in the base
        attach_files(session, request=request, event=event, paths=new.attachments,
                     files_dir=files_dir, written=written)
        for name, data in new.produced:
            stored = (dbfiles.put_bytes(session, data, name, folder) if shared
                      else filestore.store_bytes(data, name, folder, written))
            session.add(_record_file(request, event, name, stored, files_dir))
        refresh(session, request=request, documents=documents)
        session.flush()
    except BaseException:
        for path in written[mine:]:
            path.unlink(missing_ok=True)
        raise
    return event


def attach_files(session: Session, *, request: Request, event: Event, paths: list[Path],
                 files_dir: Path, written: list[Path]) -> None:
    """Store ``paths`` as files of ``event`` (new files are added to ``written``)."""
    folder = files_dir / request.reference
    shared = dbfiles.uses_database(session)  # PostgreSQL: the bytes go in the base
    for path in paths:
        stored = (dbfiles.put_path(session, path, folder) if shared
                  else filestore.store_path(path, folder, written))
        session.add(_record_file(request, event, path.name, stored, files_dir))


def lock_request(session: Session, request: Request) -> None:
    """Serialise the state changes of one request between concurrent members.

    Every check of a request's history must be followed by its write without
    another member's write in between. SQLite writers already hold the database's
    write lock (``BEGIN IMMEDIATE``, taken before the first read); on PostgreSQL
    the request's row is locked (``SELECT … FOR UPDATE``) until the commit, and the
    request re-read, so a second member waits, then sees the first one's event.
    Idempotent within a transaction.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.exec(select(Request.id).where(Request.id == request.id).with_for_update())
    session.refresh(request)


def refresh(session: Session, *, request: Request, documents: list[RequestedDocument]) -> None:
    """Recompute status, dates, document outcomes and the legal clock from the events."""
    from cada_tracker.models import Administration

    history = [as_ev(e) for e in events_of(session, request.id)]
    request.status = lifecycle.derive_status(history, request.regime)
    sent = lifecycle.first(history, "sent")
    received = lifecycle.first(history, "received")
    request.sent_on = sent.on if sent else None
    request.received_on = received.on if received else None
    request.updated_at = utcnow()
    outcomes = lifecycle.derive_outcomes(history, len(documents))
    for doc in documents:
        if doc.outcome != outcomes[doc.position]:
            doc.outcome = outcomes[doc.position]
            session.add(doc)
    for column, value in lifecycle.derive_summary(history, outcomes).items():
        setattr(request, column, value)
    admin = session.get(Administration, request.administration_id)
    refresh_deadlines(session, request=request, admin=admin, events=history,
                      documents=len(documents))


def _whoami() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error
        return None


def _record_file(request: Request, event: Event, name: str, stored, files_dir: Path
                 ) -> StoredFile:
    """The record of a stored file: the name as given, the path as stored."""
    return StoredFile(
        request_id=request.id, event_id=event.id, original_name=name,
        path=str(stored.path.relative_to(files_dir.parent)), sha256=stored.sha256,
        size=stored.size,
    )


def files_of(session: Session, request_id: int) -> list[StoredFile]:
    return list(
        session.exec(select(StoredFile).where(StoredFile.request_id == request_id)
                     .order_by(StoredFile.id))
    )
