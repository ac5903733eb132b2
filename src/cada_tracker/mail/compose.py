"""The request as an RFC 5322 message: plain text and HTML alternatives, PDF attached.

>>> msg = compose(reference="2026-0007", subject="Caméras", sender="a@asso.example",
...               sender_name="Asso", to="prada@ville.example", html="<p>Bonjour</p>",
...               pdf=b"%PDF-1.7", message_id=make_message_id("2026-0007", "asso.example"))
>>> msg["Subject"]
'[CADA 2026-0007] Demande de communication de documents administratifs : Caméras'
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html.parser import HTMLParser

SUBJECT_PREFIX = "Demande de communication de documents administratifs"


def subject_for(reference: str, subject: str) -> str:
    return f"[CADA {reference}] {SUBJECT_PREFIX} : {' '.join(subject.split())}"


def make_message_id(reference: str, domain: str) -> str:
    """``<cada.2026-0007.k3j…@asso.example>``: the reference, a random part, the domain."""
    return f"<cada.{reference}.{secrets.token_hex(6)}@{domain}>"


def compose(*, reference: str, subject: str, sender: str, sender_name: str, to: str,
            html: str, pdf: bytes | None, message_id: str,
            when: datetime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(display_name=sender_name or "", addr_spec=sender)
    msg["To"] = to
    msg["Subject"] = subject_for(reference, subject)
    msg["Date"] = format_datetime(when or datetime.now().astimezone())
    msg["Message-ID"] = message_id
    msg["X-Cada-Reference"] = reference
    msg.set_content(html_to_text(html), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"demande-{reference}.pdf")
    return msg


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "address", "section",
              "header", "footer", "ul", "ol", "table", "blockquote"}
    SKIP = {"style", "script", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The letter's words, one paragraph per block, for the plain-text alternative."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
