"""``cada dossier``: one PDF for the CADA or the court, with its numbered pieces.

The bordereau (numbered list) comes first, then each piece in the order of the
request's life: the request letter; the proof of sending and receipt (channel,
tracking number, dates, and the scans or e-mails stored with those events); the
acknowledgement; each answer or refusal; each reminder; and for the court the
referral to the CADA, its registration and its opinion. A stored PDF is merged as
it is; an image, an e-mail or a text file is rendered to pages; a file that cannot
be shown (office formats, a PDF whose text could not be read safely) gets a page
naming it and is copied next to the dossier. Every page is stamped "Pièce n° N".

:func:`plan` is pure (events and files in, pieces out): the referral and court
letters list the same pieces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cada_tracker.dates import format_fr
from cada_tracker.vocab import CHANNELS, OUTCOMES, VERDICTS

PURPOSES = {"cada": "la CADA", "court": "le tribunal administratif"}
#: Events whose pieces go to the CADA; the court also gets the referral and its outcome.
CADA_KINDS = ("ack", "answer", "remind")
COURT_KINDS = (*CADA_KINDS, "referred", "registered", "opinion")
#: Images, e-mails and text files larger than this are given beside the dossier.
MAX_RENDERED = 20 * 1024 * 1024
IMAGES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


@dataclass
class FileRef:
    id: int
    event_id: int | None
    name: str
    path: str  # relative to the data folder
    sha256: str
    size: int
    readable: bool = True  # False when text extraction found it hostile or broken


@dataclass
class Piece:
    number: int
    title: str
    letter_html: str | None = None  # the request letter
    facts: list[tuple[str, str]] = field(default_factory=list)  # a summary page
    files: list[FileRef] = field(default_factory=list)
    pages: int = 0


def _title(ev) -> str:
    on = format_fr(ev.on)
    if ev.kind == "ack":
        return f"Accusé de réception de l'administration du {on}"
    if ev.kind == "answer":
        if ev.outcome == "refusal":
            return f"Décision de refus du {on}"
        return f"Réponse de l'administration du {on} ({OUTCOMES.get(ev.outcome, ev.outcome)})"
    if ev.kind == "remind":
        return f"Relance du {on}"
    if ev.kind == "referred":
        return f"Saisine de la CADA du {on}"
    if ev.kind == "registered":
        number = f", dossier n° {ev.tracking}" if ev.tracking else ""
        return f"Enregistrement de la saisine par la CADA le {on}{number}"
    verdict = VERDICTS.get(ev.outcome or "", ev.outcome or "")
    return f"Avis de la CADA du {on}" + (f" ({verdict})" if verdict else "")


def _facts(ev) -> list[tuple[str, str]]:
    facts = [("Date", format_fr(ev.on))]
    if ev.channel:
        facts.append(("Moyen", CHANNELS.get(ev.channel, ev.channel)))
    if ev.tracking:
        facts.append(("Numéro", ev.tracking))
    if ev.reason:
        facts.append(("Motif", ev.reason))
    if ev.text:
        facts.append(("Texte", ev.text))
    return facts


def plan(*, reference: str, letter_html: str, events: list, files: list[FileRef],
         purpose: str) -> list[Piece]:
    """The numbered pieces of the dossier; ``events``: the active events, in order."""
    kinds = COURT_KINDS if purpose == "court" else CADA_KINDS
    by_event: dict[int | None, list[FileRef]] = {}
    for f in files:
        by_event.setdefault(f.event_id, []).append(f)
    pieces = [Piece(1, f"Demande de communication de documents administratifs ({reference})",
                    letter_html=letter_html)]
    sent = [e for e in events if e.kind == "sent"]
    received = [e for e in events if e.kind == "received"]
    if sent or received:
        facts = []
        for e in sent:
            facts += [("Envoyée le", format_fr(e.on)),
                      ("Moyen", CHANNELS.get(e.channel or "", e.channel or "")),
                      *([("Numéro de suivi", e.tracking)] if e.tracking else [])]
        for e in received:
            facts.append(("Reçue par l'administration le", format_fr(e.on)))
        proofs = [f for e in (*sent, *received) for f in by_event.get(e.id, [])]
        pieces.append(Piece(len(pieces) + 1, "Preuve de l'envoi et de la réception de la demande",
                            facts=facts, files=proofs))
    for ev in events:
        if ev.kind not in kinds:
            continue
        own = by_event.get(ev.id, [])
        names = f" ({', '.join(f.name for f in own)})" if own else ""
        pieces.append(Piece(len(pieces) + 1, _title(ev) + names,
                            facts=[] if own else _facts(ev), files=own))
    return pieces


def enclosure_lines(pieces: list[Piece]) -> list[str]:
    """The pieces as a letter lists them: « Pièce n° 2 : Décision de refus du … »."""
    return [f"Pièce n° {p.number} : {p.title}" for p in pieces]


def load(session, reference: str, data_dir: Path | None = None) -> tuple:
    """(request, administration, active events, files) of ``reference``.

    With ``data_dir``, each file's path is one readable here: on PostgreSQL, a private
    cached copy fetched from the shared base."""
    from sqlalchemy import text

    from cada_tracker.models import Administration
    from cada_tracker.services.events import as_ev, events_of, files_of
    from cada_tracker.services.lifecycle import active
    from cada_tracker.services.requests import get_request

    request = get_request(session, reference)
    admin = session.get(Administration, request.administration_id)
    events = events_of(session, request.id)
    alive = {e.id for e in active([as_ev(e) for e in events])}
    events = sorted((e for e in events if e.id in alive), key=lambda e: (e.on, e.id))
    unreadable = {row[0] for row in session.connection().execute(text(
        "SELECT source_id FROM search_entry WHERE request_id = :id AND source = 'file' "
        "AND status IN ('too_big', 'timeout', 'error', 'missing')"), {"id": request.id})}
    def readable_path(relative: str) -> str:
        if data_dir is None:
            return relative
        from cada_tracker.dbfiles import local_copy

        return str(local_copy(session.connection(), data_dir, relative).relative_to(data_dir))

    files = [FileRef(f.id, f.event_id, f.original_name, readable_path(f.path), f.sha256, f.size,
                     readable=f.id not in unreadable) for f in files_of(session, request.id)]
    return request, admin, events, files


def build(*, request, admin, pieces: list[Piece], purpose: str, data_dir: Path, out_dir: Path,
          today: date, user_dir: Path | None, opinions: list[dict] = ()
          ) -> tuple[Path, list[Path]]:
    """Write the dossier PDF (and files given separately) into ``out_dir``. The
    bordereau lists ``opinions``, the CADA's favourable opinions it cites."""
    from cada_tracker.fileio import atomic_write_bytes
    from cada_tracker.pdf import Renderer
    from cada_tracker.services.dossier_pdf import assemble

    renderer = Renderer(user_dir=user_dir)
    separate: list[Path] = []
    parts = [_piece_pdfs(renderer, p, data_dir, out_dir, request.reference, separate)
             for p in pieces]
    data = assemble(renderer, request=request, admin=admin, pieces=pieces, parts=parts,
                    purpose=purpose, today=today, opinions=opinions)
    target = out_dir / f"{request.reference}-dossier-{purpose}.pdf"
    atomic_write_bytes(target, data)
    return target, separate


def _piece_pdfs(renderer, piece: Piece, data_dir: Path, out_dir: Path, reference: str,
                separate: list[Path]) -> list[bytes]:
    from cada_tracker.services import dossier_pages as pages

    parts = []
    if piece.letter_html is not None:
        parts.append(renderer.pdf(piece.letter_html))
    if piece.facts or not piece.files and piece.letter_html is None:
        parts.append(renderer.pdf(pages.page("summary", title=piece.title, facts=piece.facts,
                                             note=None if piece.facts else
                                             "Aucun document conservé pour cette pièce.")))
    for ref in piece.files:
        parts.append(_file_pdf(renderer, piece, ref, data_dir, out_dir, reference, separate))
    return parts


def _file_pdf(renderer, piece: Piece, ref: FileRef, data_dir: Path, out_dir: Path,
              reference: str, separate: list[Path]) -> bytes:
    from cada_tracker.services import dossier_pages as pages
    from cada_tracker.services.search.extract import decode, html_text, kind_of

    data = (data_dir / ref.path).read_bytes()
    kind = kind_of(data, ref.name)
    if kind == "pdf" and ref.readable:
        from cada_tracker.services.dossier_pdf import checked_pdf

        if checked_pdf(data):
            return data
    mime = next((m for magic, m in IMAGES.items() if data.startswith(magic)), None)
    if ref.size > MAX_RENDERED:
        mime = kind = None  # too big to draw into pages in this process: given separately
    if mime is not None:
        return renderer.pdf(pages.image_page(ref.name, data, mime))
    if kind == "mail" and ref.name.lower().endswith(".eml"):
        return renderer.pdf(pages.mail_page(data))
    if kind in ("text", "html") and ref.size <= 2_000_000:
        text = decode(data)
        return renderer.pdf(pages.page("text", name=ref.name,
                                       body=html_text(text) if kind == "html" else text))
    copy = out_dir / f"{reference}-piece-{piece.number}-{Path(ref.path).name}"
    from cada_tracker.fileio import atomic_write_bytes

    atomic_write_bytes(copy, data)
    separate.append(copy)
    if ref.size > MAX_RENDERED:
        reason = "Ce fichier est trop volumineux pour être mis en pages : il est joint tel quel."
    elif kind == "pdf":
        reason = "Ce PDF n'a pas pu être lu sans risque : il est joint tel quel."
    else:
        reason = "Ce format ne se convertit pas en pages : il est joint tel quel."
    return renderer.pdf(pages.page("separate", name=ref.name, reason=reason, copy=copy.name,
                                   sha256=ref.sha256, size=ref.size))
