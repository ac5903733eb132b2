"""``cada publish``: a campaign's results as a ZIP a group can put online.

One folder per administration with ``documents/`` (what was obtained),
``courriers-envoyes/`` and ``courriers-recus/``; ``manifest.csv``, ``manifest.json``
and a French ``README.md``. The sender's personal data (name, street address,
e-mail, and phone numbers in the letters the sender wrote) is replaced by a public
name, "le demandeur" by default:

- the request letter is redacted in its HTML, then rendered to PDF;
- a stored file whose text holds the sender's data (most letters) is replaced by
  a redacted transcription of its text (PDF), and the original stays out;
- a file whose text cannot be checked (a scan, a file the extractor refused) stays
  out unless ``--include-unchecked``;
- other PDFs go in with their metadata cleared (Info dictionary, XMP).

Every file that goes in is checked a last time on its text: the sender's e-mail and
street address never reach the ZIP. ``--dry-run`` lists what would go in and flags
the files whose text still holds the sender's name or e-mail.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
FOLDERS = {"documents": "documents", "sent": "courriers-envoyes", "received": "courriers-recus"}
UNCHECKED = {"empty", "unsupported", "too_big", "timeout", "error", "missing"}


@dataclass(frozen=True)
class Sender:
    name: str
    email: str
    address: tuple[str, ...]

    @classmethod
    def of(cls, name: str, address: str, email: str) -> Sender:
        lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
        return cls(name.strip(), email.strip(), tuple(lines))

    @property
    def street(self) -> tuple[str, ...]:
        """The address lines but the last (postcode and city, shared with neighbours)."""
        return self.address[:-1] if len(self.address) > 1 else self.address

    def terms(self) -> list[str]:
        return [t for t in (self.email, *self.address, self.name) if len(t) >= 3]


@dataclass
class Item:
    """One file of the ZIP, before it is written."""

    reference: str
    administration: str
    folder: str  # documents | sent | received
    name: str
    action: str  # as-is | metadata-cleared | redacted | transcription | excluded
    source: Path | None = None  # a stored file
    html: str | None = None  # the request letter, redacted
    text: str = ""  # the file's text (index), for checks and transcriptions
    flags: list[str] = field(default_factory=list)
    original: str = ""  # the stored file's name
    data: bytes = b""
    path: str = ""


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def found(text_: str, senders: list[Sender]) -> list[str]:
    """What of the senders' data ``text_`` still holds (French labels)."""
    hay = _fold(text_)
    flags = []
    for s in senders:
        if s.email and _fold(s.email) in hay:
            flags.append("e-mail du demandeur")
        if any(_fold(line) in hay for line in s.street if len(line) >= 3):
            flags.append("adresse du demandeur")
        if len(s.name) >= 3 and _fold(s.name) in hay:
            flags.append("nom du demandeur")
    return sorted(set(flags))


def redact(text_: str, senders: list[Sender], public_name: str, *, phones: bool) -> str:
    for s in senders:
        for term in sorted(s.terms(), key=len, reverse=True):
            replacement = public_name if term == s.name else "[retiré]"
            words = [re.escape(w) for w in term.split()]
            text_ = re.sub(r"\s+".join(words), replacement, text_, flags=re.IGNORECASE)
    return PHONE.sub("[retiré]", text_) if phones else text_


def redact_html(html: str, senders: list[Sender], public_name: str) -> str:
    """Redact a letter's HTML in its text (tags and attributes left alone)."""
    import html as htmllib

    def fix(match: re.Match) -> str:
        plain = htmllib.unescape(match.group(0))
        return htmllib.escape(redact(plain, senders, public_name, phones=True), quote=False)

    html = re.sub(r"mailto:[^\"'>\s]+", "#", html)
    return re.sub(r"(?<=>)[^<]+", fix, html)


def slug(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value)
    ascii_ = "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii",
                                                                                "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_.decode().lower()).strip("-")[:60] or "sans-nom"


def _folder_of(kind: str, outcome: str | None) -> str:
    if kind == "answer" and outcome in ("full", "partial"):
        return "documents"
    if kind in ("sent", "remind", "referred", "court"):
        return "sent"
    return "received"


def collect(conn, campaign: str, data_dir: Path, *, include_unchecked: bool) -> tuple:
    """(items, senders, rows of requests) of a campaign, nothing rendered yet."""
    from cada_tracker.dbfiles import local_copy

    requests = conn.execute(text(
        "SELECT r.id, r.reference, r.letter_html, r.sender_name, r.sender_address, "
        "r.sender_email, r.status, r.sent_on, a.name AS administration, a.department "
        "FROM request r JOIN administration a ON a.id = r.administration_id "
        "WHERE r.campaign = :c ORDER BY r.reference"), {"c": campaign}).all()
    senders = sorted({Sender.of(r.sender_name, r.sender_address, r.sender_email)
                      for r in requests}, key=lambda s: s.name)
    items: list[Item] = []
    for r in requests:
        if r.sent_on is not None and r.letter_html:
            items.append(Item(r.reference, r.administration, "sent",
                              f"{r.reference}-demande.pdf", "redacted", html=r.letter_html))
        files = conn.execute(text(
            "SELECT f.id, f.path, f.original_name, e.kind, e.outcome FROM stored_file f "
            "LEFT JOIN event e ON e.id = f.event_id WHERE f.request_id = :id ORDER BY f.id"),
            {"id": r.id}).all()
        for f in files:
            entries = conn.execute(text(
                "SELECT status, body FROM search_entry WHERE source = 'file' "
                "AND source_id = :id ORDER BY chunk"), {"id": f.id}).all()
            status = entries[0].status if entries else "missing"
            body = "\n".join(e.body for e in entries) if status not in UNCHECKED else ""
            item = Item(r.reference, r.administration, _folder_of(f.kind or "", f.outcome),
                        f.original_name, "as-is", source=local_copy(conn, data_dir, f.path), text=body,
                        original=f.original_name)
            item.flags = found(body, senders)
            if status in UNCHECKED:
                item.flags.append("texte non vérifiable")
                item.action = "as-is" if include_unchecked else "excluded"
            elif item.flags:
                item.action = "transcription"
                item.name = f"{Path(f.original_name).stem}-transcription.pdf"
            elif f.original_name.lower().endswith(".pdf"):
                item.action = "metadata-cleared"
            items.append(item)
    return items, senders, requests


def cleared_pdf(data: bytes) -> bytes:
    """The PDF without its Info dictionary (author, creator…) nor its XMP metadata."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(BytesIO(data), strict=False))
    writer.metadata = None
    root = writer._root_object
    root.pop(NameObject("/Metadata"), None)
    for page in writer.pages:
        page.pop(NameObject("/Metadata"), None)
        page.pop(NameObject("/PieceInfo"), None)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    from cada_tracker.services.search.extract import pdf_text as extract

    return extract(data)


def render(items: list[Item], senders: list[Sender], public_name: str, renderer) -> None:
    """Fill ``data`` of every included item; a last check on the text of each."""
    from cada_tracker.services import dossier_pages as pages

    for item in items:
        if item.action == "excluded":
            continue
        if item.html is not None:
            item.data = renderer.pdf(redact_html(item.html, senders, public_name))
        elif item.action == "transcription":
            body = redact(item.text, senders, public_name, phones=item.folder == "sent")
            item.data = renderer.pdf(pages.page(
                "text", name=f"Transcription expurgée de « {item.original} »", body=body))
        else:
            item.data = item.source.read_bytes()
            if item.action == "metadata-cleared":
                item.data = cleared_pdf(item.data)
        if item.source is None or item.action in ("transcription", "metadata-cleared"):
            left = found(pdf_text(item.data), senders)
            if "e-mail du demandeur" in left or "adresse du demandeur" in left:
                item.action, item.data = "excluded", b""
                item.flags = sorted(set(item.flags) | set(left))


def place(items: list[Item]) -> None:
    """Paths inside the ZIP: administration/folder/name, never twice the same."""
    used: set[str] = set()
    for item in items:
        stem = f"{slug(item.administration)}/{FOLDERS[item.folder]}/"
        name = re.sub(r"[^\w.\-]+", "_", item.name)[:120] or "fichier"
        path, n = stem + name, 1
        while path in used:
            n += 1
            base, dot, ext = name.rpartition(".")
            path = stem + (f"{base}-{n}.{ext}" if dot else f"{name}-{n}")
        used.add(path)
        item.path = path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
