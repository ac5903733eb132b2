"""Bringing replies back: import, match to a request, file with their attachments.

Each message is identified by its Message-ID (a second import adds nothing) and
matched, in order, by its thread (In-Reply-To/References, or the message a bounce
returns, to a recorded Message-ID), by the reference in its subject, and by its
sender when that address is an administration's (or its PRADA's) with exactly one
open request: a guess, reported as such. A matched message becomes an event of
its request (``mail``, or ``bounce``) carrying the raw message and every
attachment as stored files; an unmatched one waits in ``cada mail inbox`` with its
raw bytes until ``cada mail assign`` files it.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, or_, select

from cada_tracker.dates import format_fr
from cada_tracker.errors import InputError, NotFoundError, StateError
from cada_tracker.mail.parse import Parsed, parse
from cada_tracker.models import Administration, MailMessage, Request, StoredFile
from cada_tracker.services.events import NewEvent, record_event
from cada_tracker.services.requests import get_request
from cada_tracker.services.view_dict import message_dicts, utc
from cada_tracker.faults import reason

PARIS = ZoneInfo("Europe/Paris")
OPEN_EXCLUDED = ("draft", "closed")


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    matched: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    bounces: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)
    downloads: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "matched": self.matched, "unmatched": self.unmatched,
                "bounces": self.bounces, "suggestions": self.suggestions,
                "downloads": self.downloads}


def read_sources(paths: list[Path]) -> Iterator[bytes]:
    """Raw messages from .eml files, mbox files and Maildir folders."""
    for path in paths:
        if path.is_dir():
            if not any((path / sub).is_dir() for sub in ("cur", "new")):
                raise InputError(f"{path} est un dossier mais pas un Maildir (ni cur/ ni new/).")
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                yield box.get_bytes(key)
            continue
        try:
            with path.open("rb") as fh:
                head = fh.read(5)
        except FileNotFoundError:
            raise InputError(f"Fichier introuvable : {path}") from None
        except OSError as exc:
            raise InputError(f"Lecture impossible de {path} ({reason(exc)}).") from None
        if head == b"From ":
            box = mailbox.mbox(path, factory=None, create=False)
            for key in box.keys():
                yield box.get_bytes(key)
        else:
            yield path.read_bytes()


def local_day(parsed: Parsed, today: date) -> date:
    """The message's date in France, never after today (clocks of servers drift)."""
    if parsed.date is None:
        return today
    return min(parsed.date.astimezone(PARIS).date(), today)


def match(session: Session, parsed: Parsed) -> tuple[Request | None, str | None]:
    from cada_tracker.mail.parse import subject_references

    if parsed.thread_ids:
        known = session.exec(select(MailMessage.request_id).where(
            MailMessage.message_id.in_(parsed.thread_ids),
            MailMessage.request_id.is_not(None))).first()
        if known is not None:
            return session.get(Request, known), "thread"
    for ref in subject_references(parsed.subject):
        request = session.exec(select(Request).where(Request.reference == ref)).first()
        if request is not None:
            return request, "subject"
    if parsed.sender:
        admins = select(Administration.id).where(or_(
            func.lower(Administration.email) == parsed.sender,
            func.lower(Administration.prada_email) == parsed.sender))
        open_requests = list(session.exec(select(Request).where(
            Request.administration_id.in_(admins), Request.status.not_in(OPEN_EXCLUDED)
        ).limit(2)))
        if len(open_requests) == 1:
            return open_requests[0], "sender"
    return None, None


def _produced(parsed: Parsed, reference: str) -> list[tuple[str, bytes]]:
    names = [(f"{reference}-courriel-{parsed.sha256[:8]}.eml", parsed.raw)]
    return names + [(a.name, a.data) for a in parsed.attachments]


def file_message(session: Session, *, row: MailMessage, parsed: Parsed, request: Request,
                 matched_by: str, today: date, files_dir: Path, written: list[Path],
                 apply_acks: bool, report: ImportReport) -> None:
    """Record the matched message as an event of ``request`` and keep its files."""
    on = local_day(parsed, today)
    sent = request.sent_on
    if sent is not None and on < sent:
        on = sent  # a reply cannot predate the sending; the raw message keeps its Date
    who = parsed.sender_display and f"{parsed.sender_display} <{parsed.sender}>" or parsed.sender
    text = f"De : {who} — Objet : {parsed.subject}"
    if parsed.kind == "bounce":
        new = NewEvent(kind="bounce", on=on, text=text, produced=_produced(parsed,
                                                                           request.reference))
    else:
        new = NewEvent(kind="mail", on=on, outcome=parsed.kind, text=text,
                       produced=_produced(parsed, request.reference))
    event = record_event(session, request=request, new=new, today=today, files_dir=files_dir,
                         written=written)
    stored = session.exec(select(StoredFile).where(StoredFile.event_id == event.id)
                          .order_by(StoredFile.id)).all()
    row.request_id, row.event_id, row.matched_by = request.id, event.id, matched_by
    row.raw_file_id = next(f.id for f in stored if f.sha256 == parsed.sha256)
    row.raw = None
    session.add(row)
    entry = {"message_id": parsed.message_id, "reference": request.reference,
             "kind": parsed.kind, "matched_by": matched_by, "on": on,
             "files": [f.original_name for f in stored if f.sha256 != parsed.sha256]}
    report.matched.append(entry)
    if parsed.kind == "bounce":
        report.bounces.append({"message_id": parsed.message_id, "reference": request.reference,
                               "on": on})
    if parsed.kind == "ack":
        _suggest_receipt(session, request=request, on=on, today=today, files_dir=files_dir,
                         apply=apply_acks, report=report)
    if row.download_until is not None:
        report.downloads.append({"reference": request.reference, "until": row.download_until,
                                 "links": (row.download_links or "").split()})


def _suggest_receipt(session: Session, *, request: Request, on: date, today: date,
                     files_dir: Path, apply: bool, report: ImportReport) -> None:
    """An automatic acknowledgement dates the receipt: suggest it, or record it."""
    ref, when = request.reference, on.isoformat()
    entry = {"reference": ref, "on": on, "applied": False,
             "commands": [f"cada received {ref} --on {when}",
                          f"cada ack {ref} --on {when} --mentions|--no-mentions"],
             "reason": None}
    if request.received_on is not None:
        entry["reason"] = f"réception déjà enregistrée le {format_fr(request.received_on)}"
    elif apply:
        try:
            record_event(session, request=request, new=NewEvent(kind="received", on=on),
                         today=today, files_dir=files_dir)
            entry["applied"] = True
        except (StateError, InputError) as exc:
            entry["reason"] = exc.message
    report.suggestions.append(entry)


def import_messages(session: Session, raws, *, today: date, files_dir: Path,
                    written: list[Path], apply_acks: bool = False) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    for raw in raws:
        parsed = parse(raw)
        if parsed.message_id in seen or session.exec(select(MailMessage.id).where(
                MailMessage.message_id == parsed.message_id)).first() is not None:
            report.duplicates += 1
            continue
        seen.add(parsed.message_id)
        report.imported += 1
        row = MailMessage(
            message_id=parsed.message_id, direction="in", state="received", kind=parsed.kind,
            subject=parsed.subject, sender=parsed.sender, recipients=parsed.recipients,
            message_date=utc(parsed.date), in_reply_to=parsed.in_reply_to, sha256=parsed.sha256,
            size=len(raw), raw=raw, download_until=parsed.download_until,
            download_links=" ".join(parsed.links) or None)
        session.add(row)
        session.flush()
        request, matched_by = match(session, parsed)
        if request is None:
            report.unmatched.append({"id": row.id, "message_id": parsed.message_id,
                                     "from": parsed.sender, "subject": parsed.subject,
                                     "kind": parsed.kind})
            continue
        file_message(session, row=row, parsed=parsed, request=request, matched_by=matched_by,
                     today=today, files_dir=files_dir, written=written, apply_acks=apply_acks,
                     report=report)
    return report


def inbox(session: Session) -> list[dict]:
    rows = session.exec(select(MailMessage).where(MailMessage.direction == "in",
                                                  MailMessage.request_id.is_(None))
                        .order_by(MailMessage.message_date, MailMessage.id))
    return [{"id": r.id, "message_id": r.message_id, "date": utc(r.message_date),
             "from": r.sender, "subject": r.subject, "kind": r.kind, "size": r.size}
            for r in rows]


def assign(session: Session, *, message: str, reference: str, today: date, files_dir: Path,
           written: list[Path]) -> ImportReport:
    """File a waiting message (its Message-ID, or its number in the inbox) on a request."""
    key = message.strip()
    query = select(MailMessage).where(MailMessage.direction == "in")
    if key.isascii() and key.isdigit() and len(key) <= 10:
        query = query.where(MailMessage.id == int(key))
    else:
        wanted = key if key.startswith("<") else f"<{key}>"
        query = query.where(MailMessage.message_id == wanted)
    row = session.exec(query).first()
    if row is None:
        raise NotFoundError(f"Aucun courriel « {key} » (voir cada mail inbox).")
    if row.request_id is not None:
        owner = session.get(Request, row.request_id)
        raise StateError(f"Ce courriel est déjà classé dans la demande {owner.reference}.")
    request = get_request(session, reference)
    report = ImportReport()
    file_message(session, row=row, parsed=parse(row.raw or b""), request=request,
                 matched_by="manual", today=today, files_dir=files_dir, written=written,
                 apply_acks=False, report=report)
    return report


def messages_of(session: Session, request_id: int) -> list[dict]:
    """What ``cada show`` lists: each message, its date, sender, subject and files."""
    rows = session.exec(select(MailMessage).where(MailMessage.request_id == request_id)
                        .order_by(MailMessage.message_date, MailMessage.id)).all()
    files: dict[int, list[StoredFile]] = {}
    event_ids = [r.event_id for r in rows if r.event_id is not None]
    if event_ids:
        for f in session.exec(select(StoredFile).where(StoredFile.event_id.in_(event_ids))
                              .order_by(StoredFile.id)):
            files.setdefault(f.event_id, []).append(f)
    return message_dicts(rows, files)
