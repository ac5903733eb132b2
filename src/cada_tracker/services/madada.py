"""``cada madada import``: a request made on Ma Dada (Alaveteli), recorded in cada.

Idempotent, keyed on the request's URL (``Request.source_url``): a second import of
the same request adds only the Alaveteli events not imported yet (each imported
event keeps ``alaveteli:<event id>`` in ``Event.source_key``, cancelled ones
included, so a cancelled event is not imported again) and the files of a newer ZIP
not stored yet. The administration is the directory's row with the Alaveteli key
(``alaveteli:<url_name>``, as ``cada admin import`` of Ma Dada's public-body CSV
stores it), else the only one of the same normalised name, else a new one built
from the public body's JSON (its address from ``notes``, as the CSV import reads it).
"""

from __future__ import annotations

import html
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker.dates import format_fr
from cada_tracker.directory import normalise_name
from cada_tracker.errors import CadaError, InputError
from cada_tracker.folding import name_key
from cada_tracker.madada.mapping import Planned, plan_events
from cada_tracker.madada.reader import AlaveteliRequest, Archive, ArchiveEntry
from cada_tracker.models import Administration, Event, Request, RequestedDocument, RequestTag
from cada_tracker.profiles import Profile
from cada_tracker.services.events import (
    NewEvent,
    attach_files,
    events_of,
    files_of,
    record_event,
)
from cada_tracker.services.requests import SUBJECT_MAX, insert_with_reference


@dataclass
class Outcome:
    """What one request's import did (or would do, with ``--dry-run``)."""

    url: str
    reference: str | None
    status: str | None
    action: str  # created | updated | unchanged
    administration: str
    administration_action: str  # key | name | created
    events_added: int = 0
    files_added: int = 0
    notes: list[dict] = field(default_factory=list)


def _admin_values(req: AlaveteliRequest) -> dict[str, str]:
    return {"#id": req.body.url_name, "name": req.body.name, "request_email": "",
            "notes": req.body.notes, "home_page": req.body.home_page,
            "tag_string": " ".join(t.split(":", 1)[0] for t in req.body.tags)}


def find_admin(session: Session, req: AlaveteliRequest) -> tuple[Administration | None, str]:
    """The directory's administration for the request's public body, and how it matched."""
    key = f"alaveteli:{req.body.url_name}"
    admin = session.exec(select(Administration).where(Administration.source_key == key)).first()
    if admin is None:  # merged at import into another directory's row (its alias)
        from cada_tracker.models import AdministrationAlias

        alias = session.get(AdministrationAlias, key)
        admin = session.get(Administration, alias.administration_id) if alias else None
    if admin is not None:
        return admin, "key"
    # Candidates through the (name_key, postcode) index, then the exact name rule:
    # two names equal once normalised have the same (coarser) name_key.
    wanted = normalise_name(req.body.name)
    candidates = select(Administration).where(
        Administration.name_key == name_key(req.body.name)).order_by(Administration.id)
    same = [a for a in session.exec(candidates) if normalise_name(a.name) == wanted]
    if len(same) == 1:
        return same[0], "name"
    return None, "created"


def _create_admin(session: Session, req: AlaveteliRequest, notes: list[str]) -> Administration:
    from cada_tracker.directory.alaveteli import parse_alaveteli
    from cada_tracker.directory.rows import Row, RowReject, within_limits
    from cada_tracker.services.directory_import import ImportPlan, apply_import, plan_batch

    row = Row(0)
    values = _admin_values(req)
    try:
        record = within_limits(parse_alaveteli(values, row))
    except RowReject as exc:
        notes.append(f"adresse de « {req.body.name} » illisible ({exc.message}) : complétez-la "
                     "avec cada admin edit")
        record = parse_alaveteli({**values, "notes": ""}, Row(0))
    plan = ImportPlan(changes=[], values={})  # as a directory import, one record
    plan_batch(session, [record], plan, claimed={})
    apply_import(session, plan)
    return session.exec(
        select(Administration).where(Administration.source_key == record.key)).one()


def _letter_html(req: AlaveteliRequest, url: str, archive: Archive | None) -> str:
    """The stored copy of the request: where it is published, and its text when the ZIP
    gives it (the first message of ``correspondence.txt``)."""
    text = ""
    if archive is not None:
        parts = archive.correspondence.split("-------------------------------")
        text = parts[1].strip() if len(parts) > 1 else ""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    sent = next((e for e in req.events if e.type == "sent"), None)
    when = f" le {format_fr(sent.on)}" if sent else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(req.title)}</title></head><body>"
        f"<h1>{html.escape(req.title)}</h1>"
        f"<p>Demande envoyée à {html.escape(req.body.name)} par l'intermédiaire de Ma Dada"
        f"{when}, publiée avec toute sa correspondance à l'adresse "
        f"<a href=\"{html.escape(url)}\">{html.escape(url)}</a>.</p>"
        f"{paragraphs}</body></html>"
    )


def _new_request(session: Session, req: AlaveteliRequest, url: str, admin: Administration,
                 profile: Profile, archive: Archive | None) -> Request:
    request = Request(
        reference="", administration_id=admin.id, subject=req.title[:SUBJECT_MAX],
        mode="email", regime="environment" if req.law_used == "eir" else "general",
        template="madada", letter_html=_letter_html(req, url, archive), profile=profile.key,
        sender_name=profile.name, sender_address=profile.address,
        sender_email=profile.email, sender_city=profile.city, source_url=url,
    )
    insert_with_reference(session, request, req.created_at.year)
    description = f"Documents demandés dans la demande « {req.title} » publiée sur Ma Dada"
    session.add(RequestedDocument(request_id=request.id, position=1,
                                  description=description[:1000]))
    for tag in sorted({"madada", *(t.lower()[:100] for t in req.tags)}):
        session.add(RequestTag(request_id=request.id, tag=tag))
    session.flush()
    return request


def _extract(archive: Archive, entries: list[ArchiveEntry], into: Path) -> list[Path]:
    """Copy ``entries`` out of the ZIP, each under its own name in its own folder
    (never a path from the archive), within the attachment size limit."""
    from cada_tracker.filestore import max_attachment_bytes

    limit = max_attachment_bytes()
    paths: list[Path] = []
    with zipfile.ZipFile(archive.path) as zf:
        for number, entry in enumerate(entries):
            name = "".join(c for c in entry.name if c not in "\x00/\\") or f"fichier-{number}"
            if entry.size > limit:
                raise InputError(f"--zip : « {entry.name} » fait {entry.size} octets, plus que "
                                 f"la limite de {limit // 2**20} Mo (CADA_MAX_ATTACHMENT_MB).")
            folder = into / str(number)
            folder.mkdir(mode=0o700, parents=True)
            target = folder / name[:200]
            with zf.open(entry.member or entry.name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(_Capped(src, limit), dst)
            paths.append(target)
    return paths


class _Capped:
    """A reader that refuses more bytes than the limit (a ZIP may lie about sizes)."""

    def __init__(self, fh, limit: int) -> None:
        self.fh, self.left = fh, limit

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(1 << 20 if size < 0 else size)
        self.left -= len(data)
        if self.left < 0:
            raise InputError("--zip : une pièce jointe dépasse la limite de taille "
                             "(CADA_MAX_ATTACHMENT_MB).")
        return data


def _new_event(p: Planned, paths: list[Path]) -> NewEvent:
    return NewEvent(kind=p.kind, on=p.on, channel=p.channel, outcome=p.outcome,
                    reason=p.reason, text=p.text, attachments=paths)


def import_request(
    session: Session, *, req: AlaveteliRequest, url: str, archive: Archive | None,
    profile: Profile, today: date, files_dir: Path, written: list[Path], dry_run: bool,
) -> Outcome:
    """Create or update the request ``url`` from its Alaveteli JSON (and ZIP)."""
    notes: list[str] = []
    request = session.exec(select(Request).where(Request.source_url == url)).first()
    if request is not None:
        admin = session.get(Administration, request.administration_id)
        admin_action = "key" if admin.source_key == f"alaveteli:{req.body.url_name}" else "name"
    else:
        admin, admin_action = find_admin(session, req)
    planned = plan_events(req.events, archive)
    outcome = Outcome(url=url, reference=request.reference if request else None,
                      status=request.status if request else None,
                      action="created" if request is None else "unchanged",
                      administration=admin.name if admin else req.body.name,
                      administration_action=admin_action)
    known: dict[str, Event] = {}
    stored: dict[int, set[tuple[str, int]]] = {}
    if request is not None:
        known = {e.source_key: e for e in events_of(session, request.id) if e.source_key}
        for f in files_of(session, request.id):
            stored.setdefault(f.event_id, set()).add((f.original_name, f.size))
    new = [p for p in planned if p.key not in known]
    more_files = {p.key: [e for e in p.files
                          if (e.name, e.size) not in stored.get(known[p.key].id, set())]
                  for p in planned if p.key in known}
    outcome.events_added = len(new)
    outcome.files_added = sum(len(p.files) for p in new) + sum(map(len, more_files.values()))
    outcome.notes = [_listed(p) for p in new if p.listed]
    if request is not None and (new or outcome.files_added or request.subject != req.title[
            :SUBJECT_MAX]):
        outcome.action = "updated"
    if dry_run:
        return outcome
    if admin is None:
        admin = _create_admin(session, req, notes)
    if request is None:
        request = _new_request(session, req, url, admin, profile, archive)
    elif request.subject != req.title[:SUBJECT_MAX]:
        request.subject = req.title[:SUBJECT_MAX]
        session.add(request)
    with tempfile.TemporaryDirectory(prefix="cada-madada-") as scratch:
        for number, p in enumerate(new):
            paths = _extract(archive, p.files, Path(scratch) / f"e{number}") \
                if p.files else []
            _record(session, request, p, paths, today, files_dir, written, outcome)
        for number, (key, entries) in enumerate(more_files.items()):
            if entries:
                paths = _extract(archive, entries, Path(scratch) / f"f{number}")
                attach_files(session, request=request, event=known[key], paths=paths,
                             files_dir=files_dir, written=written)
    for text in notes:
        outcome.notes.append({"on": today.isoformat(), "text": text})
    session.flush()
    outcome.reference, outcome.status = request.reference, request.status
    return outcome


def _record(session: Session, request: Request, p: Planned, paths: list[Path], today: date,
            files_dir: Path, written: list[Path], outcome: Outcome) -> None:
    """Record one planned event; one cada refuses (its order, a closed request) is kept
    as a note saying why, and listed."""
    try:
        with session.begin_nested():
            event = record_event(session, request=request, new=_new_event(p, paths),
                                 today=today, files_dir=files_dir, written=written)
    except CadaError as exc:
        if p.kind == "note":
            raise
        text = (f"{p.text} Non enregistré comme « {p.kind} » : {exc.message}")[:10_000]
        fallback = Planned(key=p.key, kind="note", on=p.on, text=text, listed=True)
        event = record_event(session, request=request, new=_new_event(fallback, paths),
                             today=today, files_dir=files_dir, written=written)
        outcome.notes.append(_listed(fallback))
    event.source_key = p.key
    session.add(event)
    session.flush()


def _listed(p: Planned) -> dict:
    return {"on": p.on.isoformat(), "text": p.text}
