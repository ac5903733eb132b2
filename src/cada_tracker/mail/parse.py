"""Reading a received message: who, when, what it answers, its files, what kind it is.

Pure (no database, no clock): ``parse(raw)`` gives a :class:`Parsed`, and
``classify`` says whether it is a bounce, an automatic acknowledgement, an
out-of-office reply or a reply to qualify. Classification only *suggests*: cada
never decides the law from an e-mail's wording.

>>> p = parse(b"Message-ID: <a@b>\\nFrom: x@ville.example\\nSubject: [CADA 2026-0007] "
...           b"Accuse de reception\\nAuto-Submitted: auto-replied\\n\\nVotre demande a bien "
...           b"ete recue.\\n")
>>> p.kind, subject_references(p.subject)
('ack', ['2026-0007'])
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.errors import HeaderParseError
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

_REF_IN_SUBJECT = re.compile(r"CADA\s*[#:nN°.-]*\s*(\d{4}-\d{4,})", re.IGNORECASE)
_MSGID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+>")  # printable ASCII only
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

TRANSFER_HOSTS = ("francetransfert.numerique.gouv.fr", "francetransfert.culture.gouv.fr",
                  "wetransfer.com", "we.tl", "transfernow.net", "smash.gg", "fromsmash.com",
                  "swisstransfer.com", "grosfichiers.com", "filesender.renater.fr")
_URL = re.compile(r"https?://[^\s<>\"')\[\]]+", re.IGNORECASE)  # no [ ]: Rich markup
_UNTIL = re.compile(
    r"(?:jusqu'?au|avant le|expir\w*\s+le|disponible[s]?\s+jusqu'?au|valable[s]?\s+jusqu'?au"
    r"|until|expires? on)\s*(?:le\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.IGNORECASE)
TRANSFER_DAYS = 30

# Wordings, compared on lower-case text without accents.
_ACK = ("accuse de reception", "accuse reception", "a bien ete recu", "a bien ete recue",
        "avons bien recu", "bien ete enregistre", "enregistree sous le numero",
        "enregistree sous la reference", "prise en compte de votre demande",
        "accusons reception", "confirmation de reception")
_OUT_OF_OFFICE = ("absent", "absence", "out of office", "conges", "en conge",
                  "reponse automatique", "automatic reply", "autoreply", "auto-reply",
                  "je serai de retour", "actuellement indisponible", "hors du bureau")
_BOUNCE_SUBJECT = ("undeliverable", "undelivered", "delivery status notification (failure)",
                   "mail delivery failed", "returned mail", "non remis", "echec de la remise",
                   "delivery has failed", "failure notice", "remise impossible")


def clean(text: str | None, limit: int = 500) -> str:
    """Text from a message, fit to print: no control or bidi characters, one line."""
    if not text:
        return ""
    text = _CONTROL.sub(" ", str(text).replace("\r", " ").replace("\n", " ").replace("\t", " "))
    return " ".join(text.split())[:limit]


def fold(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in bare if not unicodedata.combining(c))


@dataclass
class Attachment:
    name: str
    data: bytes
    content_type: str


@dataclass
class Parsed:
    raw: bytes
    sha256: str
    message_id: str
    subject: str
    sender: str  # address only, lower case
    sender_display: str
    recipients: str
    date: datetime | None
    in_reply_to: str | None
    thread_ids: list[str]  # In-Reply-To, then References (and the bounced message's)
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    kind: str = "reply"  # bounce | ack | auto_reply | reply
    links: list[str] = field(default_factory=list)
    download_until: date | None = None


# What the standard library raises on malformed messages (its header parser has bugs).
_PARSE_ERRORS = (IndexError, ValueError, TypeError, LookupError, AttributeError,
                 AssertionError, HeaderParseError, UnicodeError)


def parse(raw: bytes) -> Parsed:
    """The message, however malformed: decoded headers first, then the raw ones, then
    nothing but its bytes (which are always kept)."""
    for pol in (policy.default, policy.compat32):
        try:
            return _parse(raw, pol)
        except _PARSE_ERRORS:
            continue
    sha = hashlib.sha256(raw).hexdigest()
    return Parsed(raw=raw, sha256=sha, message_id=f"<sha256.{sha[:32]}@cada.invalid>",
                  subject="", sender="", sender_display="", recipients="", date=None,
                  in_reply_to=None, thread_ids=[], body="")


def _parse(raw: bytes, pol) -> Parsed:
    msg: EmailMessage = BytesParser(policy=pol).parsebytes(raw)
    sha = hashlib.sha256(raw).hexdigest()
    message_id = _first_id(_header(msg, "Message-ID")) or f"<sha256.{sha[:32]}@cada.invalid>"
    from_pairs = getaddresses([_header(msg, "From")])
    sender_display, sender = (from_pairs[0] if from_pairs else ("", ""))
    in_reply_to = _first_id(_header(msg, "In-Reply-To"))
    thread = _ids(_header(msg, "In-Reply-To")) + _ids(_header(msg, "References"))
    body = _body_text(msg)
    parsed = Parsed(
        raw=raw, sha256=sha, message_id=message_id, subject=clean(_header(msg, "Subject")),
        sender=clean(sender).lower(), sender_display=clean(sender_display),
        recipients=clean(", ".join(a for _n, a in getaddresses(
            [_header(msg, "To"), _header(msg, "Cc")]) if a)),
        date=_date(_header(msg, "Date")), in_reply_to=in_reply_to, thread_ids=thread,
        body=body, attachments=list(_attachments(msg)),
    )
    parsed.kind = classify(msg, parsed)
    if parsed.kind == "bounce":
        parsed.thread_ids += _bounced_ids(msg)
    parsed.links = transfer_links(body)
    if parsed.links:
        parsed.download_until = download_deadline(body, parsed.date)
    return parsed


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except _PARSE_ERRORS:  # a header the library cannot parse: its raw text
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
    return str(value) if value is not None else ""


# Longest Message-ID kept as written. The identifiers are unique keys of an index, and
# PostgreSQL refuses an index entry past about 2,700 bytes: a longer one (never seen
# from a real mailer, easy to forge) is kept as a digest of itself, the same wherever
# it appears, so that a reply still finds the message it answers.
ID_MAX = 500


def _ids(value: str) -> list[str]:
    return [i if len(i) <= ID_MAX else
            f"<sha256.{hashlib.sha256(i.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}"
            "@long-id.cada.invalid>"
            for i in _MSGID.findall(value or "")]


def _first_id(value: str) -> str | None:
    found = _ids(value)
    return found[0] if found else None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decoded_text(part: Message) -> str:
    try:
        return part.get_content()
    except (LookupError, KeyError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1", "replace")


def _body_text(msg: Message) -> str:
    """The first text part (plain preferred), not descending into attached messages."""
    if isinstance(msg, EmailMessage):
        try:
            body = msg.get_body(preferencelist=("plain", "html"))
        except (KeyError, ValueError):
            body = None
        if body is not None:
            text = _decoded_text(body)
            if body.get_content_subtype() == "html":
                from cada_tracker.mail.compose import html_to_text

                text = html_to_text(text)
            return text
    return ""


def _attachments(msg: Message):
    """Every file the message carries, attached messages included (as .eml) and their files."""
    body = None
    if isinstance(msg, EmailMessage):
        try:
            body = msg.get_body(preferencelist=("plain", "html"))
        except (KeyError, ValueError):
            body = None
    count = 0
    for part in msg.walk():
        if part is msg or part is body:
            continue
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                count += 1
                name = part.get_filename() or f"{clean(_header(inner, 'Subject'), 60) or 'message'}.eml"
                yield Attachment(_safe_name(name, count, ".eml"), inner.as_bytes(), ctype)
            continue
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if filename is None and disposition != "attachment":
            # Inline alternatives and report parts are the message's own text.
            if ctype.startswith("text/") or ctype.startswith("message/"):
                continue
        data = part.get_payload(decode=True)
        if data is None:
            continue
        count += 1
        yield Attachment(_safe_name(filename, count, _extension(ctype)), data, ctype)


def _extension(ctype: str) -> str:
    return {"application/pdf": ".pdf", "application/zip": ".zip", "text/plain": ".txt",
            "text/html": ".html", "image/png": ".png", "image/jpeg": ".jpg",
            "application/ms-tnef": ".dat"}.get(ctype, ".bin")


def _safe_name(name: str | None, count: int, ext: str) -> str:
    name = clean(name, 150).replace("/", "_").replace("\\", "_").strip(". ")
    return name or f"piece-jointe-{count}{ext}"


def classify(msg: Message, parsed: Parsed) -> str:
    subject = fold(parsed.subject)
    head = fold(parsed.body[:3000])
    ctype = msg.get_content_type()
    report = ctype == "multipart/report" and \
        (msg.get_param("report-type") or "").lower() == "delivery-status"
    daemon = re.match(r"(mailer-daemon|postmaster)@", parsed.sender or "")
    if report or _header(msg, "X-Failed-Recipients") or \
            (daemon and any(w in subject for w in _BOUNCE_SUBJECT)):
        return "bounce"
    auto = (_header(msg, "Auto-Submitted") or "no").strip().lower() != "no" or \
        any(_header(msg, h) for h in ("X-Autoreply", "X-Autorespond")) or \
        _header(msg, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk")
    if any(w in subject for w in _ACK) or (auto and any(w in head for w in _ACK)):
        return "ack"
    if auto or any(w in subject for w in _OUT_OF_OFFICE):
        return "auto_reply"
    return "reply"


def _bounced_ids(msg: Message) -> list[str]:
    """The Message-ID of the message a bounce returns (attached message or headers)."""
    found: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found += _ids(_header(inner, "Message-ID"))
        elif ctype == "text/rfc822-headers":
            found += _ids("".join(re.findall(r"(?im)^message-id:\s*(.+)$", _decoded_text(part))))
    if not found:  # some servers quote the original headers in the text
        found = _ids(" ".join(re.findall(r"(?im)^\s*message-id:\s*(.+)$", parsed_text(msg))))
    return found


def parsed_text(msg: Message) -> str:
    return "\n".join(_decoded_text(p) for p in msg.walk()
                     if not p.is_multipart() and p.get_content_maintype() == "text")


def subject_references(subject: str) -> list[str]:
    return list(dict.fromkeys(_REF_IN_SUBJECT.findall(subject or "")))


def transfer_links(text: str) -> list[str]:
    links = []
    for url in _URL.findall(text or ""):
        host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/", 1)[0].lower()
        if any(host == h or host.endswith("." + h) for h in TRANSFER_HOSTS):
            links.append(clean(url.rstrip(".,;"), 300))
    return list(dict.fromkeys(links))


def download_deadline(text: str, sent: datetime | None) -> date | None:
    """The date the message states for its download link, else 30 days after it."""
    for day, month, year in _UNTIL.findall(text or ""):
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    if sent is None:
        return None
    return (sent + timedelta(days=TRANSFER_DAYS)).date()
