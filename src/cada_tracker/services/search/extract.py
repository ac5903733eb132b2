"""The text of a stored file, by format: PDF, DOCX, ODT, XLSX, ODS, HTML, TXT, CSV.

These functions take the file's bytes and return its text; they never run code from
the file (no macros, no scripts, no external entities: XML is not parsed, its tags
are stripped). They are meant to run in the worker subprocess (``worker.py``), which
adds the time and memory limits: a hostile PDF may still be slow or greedy here.

>>> text_of(b"Objet ; montant\\nBriefcam ; 12 000", "devis.csv")
('ok', 'Objet ; montant\\nBriefcam ; 12 000')
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from html.parser import HTMLParser

#: Text kept from one file (characters); beyond it the text is cut ("truncated").
MAX_TEXT = 5_000_000
#: Bytes read from one member of a DOCX/ODT/XLSX/ODS archive (a zip bomb stops here).
MAX_MEMBER = 50_000_000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TAG = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"</(?:w:p|text:p|text:h|table:table-row|row|a:p)>|<(?:w:br|w:tab|text:tab|"
                     r"text:line-break|text:s)\b[^>]*/?>|</(?:c|table:table-cell|si)>")


_SPACES = re.compile(" {2,}")


def clean(text: str) -> str:
    r"""NFC, no control or bidi characters (terminal-safe), runs of spaces collapsed.

    Each run of spaces, tabs and no-break spaces becomes one space; each run of white
    space holding a line break becomes one line break; the ends are stripped. Written
    with str methods rather than the regular expressions ``[ \t\u00a0]+`` and
    ``\s*\n\s*`` (same result, ``str.strip`` and ``\s`` agree on what is white
    space): about three times quicker on a letter, which every reindex cleans."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text.replace("\t", " ").replace("\u00a0", " "))
    return "\n".join(line for line in (part.strip() for part in text.split("\n")) if line)


def kind_of(data: bytes, name: str) -> str:
    """The format, from the content first (the name may lie), else the extension."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8")):
        return "image"
    if suffix in ("html", "htm", "xhtml") or re.match(rb"\s*<(!doctype html|html)", head, re.I):
        return "html"
    if suffix == "eml":
        return "mail"
    if b"\x00" not in head:
        return "text"
    return "unsupported"


def text_of(data: bytes, name: str) -> tuple[str, str]:
    """(status, text): status ok | empty | truncated | unsupported."""
    kind = kind_of(data, name)
    if kind == "pdf":
        raw = pdf_text(data)
    elif kind == "zip":
        raw = office_text(data)
    elif kind == "html":
        raw = html_text(decode(data))
    elif kind == "text":
        raw = decode(data)
    elif kind == "mail":
        raw = mail_text(data)
    else:
        return "unsupported", ""
    if raw is None:
        return "unsupported", ""
    text = clean(raw[: MAX_TEXT + 1])
    if not text:
        return "empty", ""
    if len(text) > MAX_TEXT:
        return "truncated", text[:MAX_TEXT]
    return "ok", text


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    parts: list[str] = []
    size = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(parts)


def office_text(data: bytes) -> str | None:
    """DOCX, XLSX, ODT, ODS (and PPTX, ODP): the text of their XML parts, tags stripped."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        wanted = [n for n in names if n in ("word/document.xml", "content.xml",
                                            "xl/sharedStrings.xml")
                  or re.fullmatch(r"(word/(header|footer|footnotes)\d*|xl/worksheets/sheet\d+|"
                                  r"ppt/slides/slide\d+)\.xml", n)]
        if not wanted:
            return None
        parts = []
        budget = MAX_MEMBER
        for member in wanted:
            if budget <= 0:
                break
            with archive.open(member) as fh:
                xml = fh.read(budget).decode("utf-8", errors="replace")
            budget -= len(xml)
            parts.append(xml_text(xml))
        return "\n".join(parts)


def mail_text(data: bytes) -> str:
    """An ``.eml``: its headers that say who and when, then its text (HTML part as text)."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(data)
    lines = [f"{key}: {message[key]}" for key in ("From", "To", "Cc", "Date", "Subject")
             if message[key]]
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        lines.append(html_text(content) if body.get_content_subtype() == "html" else content)
    return "\n".join(lines)


def xml_text(xml: str) -> str:
    xml = _BREAKS.sub("\n", xml)
    return html.unescape(_TAG.sub("", xml))


class _HTMLText(HTMLParser):
    _SKIP = {"script", "style", "head", "template", "noscript"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


_INVISIBLE = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6]|/td|/th)\b[^>]*>", re.I)


def letter_text(source: str) -> str:
    """The text of a letter cada drafted (our own HTML): a fast regular-expression pass,
    about ten times quicker than the parser below on a one-page letter."""
    source = _BLOCK_END.sub("\n", _INVISIBLE.sub(" ", source))
    return html.unescape(_TAG.sub("", source))


def html_text(source: str) -> str:
    parser = _HTMLText()
    parser.feed(source)
    parser.close()
    return "".join(parser.parts)
