"""Requests by e-mail: the ``.eml`` draft and the SMTP send that records ``sent``.

A request's outgoing message is one ``mail_message`` row: its Message-ID is made
when the request is first drafted or sent, and kept, so that replies (In-Reply-To,
References) lead back to the request. Sending records the ``sent`` event (channel
e-mail, the Message-ID as tracking, the raw message as a stored file with its
SHA-256) in the transaction that marks the message sent; the SMTP exchange runs
inside that transaction, so a refused message leaves the request unsent.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker.errors import InputError, NotFoundError, StateError
from cada_tracker.mail.compose import compose, make_message_id
from cada_tracker.mail.config import MailConfig, Secret
from cada_tracker.models import Administration, MailMessage, Request, StoredFile
from cada_tracker.services.requests import get_request


@dataclass
class Outgoing:
    reference: str
    message_id: str
    to: str
    subject: str
    raw: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def recipient(session: Session, request: Request) -> str:
    """The PRADA's address, else the administration's."""
    admin = session.get(Administration, request.administration_id)
    address = (admin.prada_email or admin.email or "").strip() if admin else ""
    if not address:
        name = admin.name if admin else f"n° {request.administration_id}"
        raise InputError(
            f"{request.reference} : l'administration « {name} » n'a pas d'adresse "
            "électronique (ni PRADA ni générale).",
            hint=f"cada admin edit {request.administration_id} --prada-email ADRESSE, "
                 "ou envoyez par la poste (cada export).")
    return address


def outgoing_row(session: Session, request_id: int) -> MailMessage | None:
    return session.exec(
        select(MailMessage).where(MailMessage.request_id == request_id,
                                  MailMessage.direction == "out")
        .order_by(MailMessage.id.desc())
    ).first()


def build(session: Session, *, request: Request, sender: str,
          render_pdf: Callable[[str], bytes], now: datetime) -> tuple[Outgoing, MailMessage]:
    """Compose the request's message and keep it (a draft row, Message-ID reused)."""
    row = outgoing_row(session, request.id)
    if row is not None and row.state == "sent":
        raise StateError(f"{request.reference} : la demande a déjà été envoyée par courriel "
                         f"({row.message_id}).")
    if request.status != "draft":
        raise StateError(f"{request.reference} : la demande n'est plus un brouillon "
                         "(son envoi est déjà enregistré).")
    if not request.letter_html:
        raise InputError(f"La demande {request.reference} n'a pas de courrier enregistré.")
    to = recipient(session, request)
    message_id = row.message_id if row is not None else \
        make_message_id(request.reference, sender.rsplit("@", 1)[-1].lower())
    msg = compose(reference=request.reference, subject=request.subject, sender=sender,
                  sender_name=request.sender_name, to=to, html=request.letter_html,
                  pdf=render_pdf(request.letter_html), message_id=message_id, when=now)
    raw = msg.as_bytes()
    out = Outgoing(request.reference, message_id, to, str(msg["Subject"]), raw)
    if row is None:
        row = MailMessage(message_id=message_id, direction="out", state="draft",
                          request_id=request.id, kind="request", sha256="", size=0)
    row.subject, row.sender, row.recipients = out.subject, sender, to
    row.message_date, row.raw, row.sha256, row.size = \
        now.astimezone(UTC), raw, out.sha256, len(raw)
    session.add(row)
    session.flush()
    return out, row


@dataclass
class SendReport:
    dry_run: bool
    sent: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"dry_run": self.dry_run, "sent": self.sent, "skipped": self.skipped,
                "failed": self.failed, "warnings": self.warnings}


def select_references(session: Session, *, references: list[str],
                      campaign: str | None) -> list[str]:
    if bool(references) == bool(campaign):
        raise InputError("Indiquez des références ou --campaign NOM (pas les deux).")
    if references:
        return [get_request(session, r).reference for r in dict.fromkeys(references)]
    refs = list(session.exec(select(Request.reference).where(Request.campaign == campaign)
                             .order_by(Request.id)))
    if not refs:
        raise NotFoundError(f"Campagne inconnue ou vide : « {campaign} ».",
                            hint="cada campaign list")
    return refs


def already_sent(session: Session, reference: str) -> str | None:
    """Why ``reference`` is not sent again (None: it is to send)."""
    request = get_request(session, reference)
    row = outgoing_row(session, request.id)
    if row is not None and row.state == "sent":
        return f"déjà envoyée par courriel ({row.message_id})"
    if request.status != "draft":
        return "envoi déjà enregistré (autre canal)"
    return None


def send(
    *, references: list[str], config: MailConfig, secret: Secret | None,
    write_session: Callable[[], AbstractContextManager], render_pdf: Callable[[str], bytes],
    today: date, files_dir: Path, dry_run: bool = False, pace: float = 0.0,
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    on_sent: Callable[[dict], None] | None = None,
) -> SendReport:
    """Send each reference's message; one transaction per message (resumable)."""
    from cada_tracker.mail import transport
    from cada_tracker.services.events import NewEvent, files_removed_on_failure, record_event

    report = SendReport(dry_run=dry_run)
    with write_session() as s:
        todo = []
        for ref in references:
            why = already_sent(s, ref)
            if why:
                report.skipped.append({"reference": ref, "reason": why})
            else:
                todo.append(ref)
    if dry_run:
        with write_session() as s:
            for ref in todo:
                try:
                    request = get_request(s, ref)
                    report.sent.append({"reference": ref, "to": recipient(s, request),
                                        "message_id": None, "sha256": None, "event": None})
                except InputError as exc:
                    report.failed.append({"reference": ref, "reason": exc.message})
            s.rollback()
        return report
    if not todo:
        return report
    appended = []
    with transport.smtp_session(config.smtp, secret) as client:
        for index, ref in enumerate(todo):
            if index and pace > 0:
                time.sleep(pace)
            try:
                with files_removed_on_failure() as written, write_session() as s:
                    request = get_request(s, ref)
                    out, row = build(s, request=request, sender=config.sender, render_pdf=render_pdf,
                                     now=clock())
                    transport.smtp_send(client, sender=config.sender, recipients=[out.to],
                                        raw=out.raw, envid=out.message_id, secret=secret)
                    event = record_event(
                        s, request=request, today=today, files_dir=files_dir, written=written,
                        new=NewEvent(kind="sent", on=today, channel="email",
                                     tracking=out.message_id,
                                     produced=[(f"{ref}-courriel.eml", out.raw)]))
                    stored = s.exec(select(StoredFile).where(
                        StoredFile.event_id == event.id, StoredFile.sha256 == out.sha256)).one()
                    row.state, row.event_id, row.raw_file_id, row.raw = \
                        "sent", event.id, stored.id, None
                    s.add(row)
            except transport.RecipientRefused as exc:
                report.failed.append({"reference": ref, "reason": exc.message})
                continue
            except transport.MailError as exc:
                report.failed.append({"reference": ref, "reason": exc.message})
                report.skipped.extend({"reference": r, "reason": "non tentée après l'échec"}
                                      for r in todo[index + 1:])
                break
            except (InputError, StateError) as exc:
                report.failed.append({"reference": ref, "reason": exc.message})
                continue
            entry = {"reference": ref, "to": out.to, "message_id": out.message_id,
                     "sha256": out.sha256, "event": event.id}
            report.sent.append(entry)
            appended.append(out.raw)
            if on_sent:
                on_sent(entry)
    if config.imap is not None and appended:
        try:
            with transport.imap_session(config.imap, secret) as imap:
                for raw in appended:
                    transport.imap_append(imap, config.sent_folder, raw, secret)
        except transport.MailError as exc:
            report.warnings.append("copie dans le dossier des envoyés impossible : "
                                   f"{exc.message}")
    return report


def draft(session: Session, *, reference: str, sender: str | None,
          render_pdf: Callable[[str], bytes], now: datetime) -> Outgoing:
    """The request's message, kept as a draft; From is ``sender``, else the profile's."""
    from cada_tracker.mail.config import check_address

    request = get_request(session, reference)
    sender = sender or check_address(request.sender_email or "",
                                     field=f"{reference} : adresse de l'expéditeur")
    out, _row = build(session, request=request, sender=sender, render_pdf=render_pdf, now=now)
    return out

