"""Parsing received messages: hostile or broken input never raises, classification holds."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cada_tracker.mail.parse import clean, download_deadline, parse, transfer_links
from tests.mail.helpers import DATA

SAMPLES = sorted(p.read_bytes() for p in DATA.glob("*.eml"))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(0, 10_000), st.binary(min_size=0, max_size=4),
       st.booleans())
def test_a_broken_message_is_still_kept_and_never_raises(base, cut, noise, truncate):
    at = cut % (len(base) + 1)
    raw = base[:at] if truncate else base[:at] + noise + base[at + 1:]
    parsed = parse(raw)
    assert parsed.raw == raw and parsed.message_id.startswith("<")
    assert parsed.kind in ("ack", "auto_reply", "bounce", "reply")
    for text in (parsed.subject, parsed.sender, parsed.sender_display):
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_leaves_no_control_or_bidi_character(text):
    cleaned = clean(text)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 or 0x202A <= ord(c) <= 0x202E
                   for c in cleaned)


def test_classification_of_the_real_world_shapes():
    kinds = {p.name: parse(p.read_bytes()).kind for p in DATA.glob("*.eml")}
    assert kinds == {
        "01-accuse-reception.eml": "ack", "02-reponse-pdf.eml": "reply",
        "03-outlook-winmail.eml": "reply", "04-bounce.eml": "bounce",
        "05-absence.eml": "auto_reply", "06-latin1.eml": "reply",
        "07-zip-transfert.eml": "reply", "08-hostile.eml": "reply",
        "09-transfert-imbrique.eml": "reply"}


def test_a_bounce_without_report_is_recognised_by_its_headers():
    raw = (b"From: postmaster@mx.example\r\nSubject: Non remis : [CADA 2026-0001]\r\n"
           b"X-Failed-Recipients: prada@ville.example\r\n\r\nEchec.\r\n")
    assert parse(raw).kind == "bounce"


def test_transfer_links_and_their_date():
    text = ("Fichiers : https://wetransfer.com/downloads/abc/def ; expire le 12/01/2027.\n"
            "Voir aussi https://www.service-public.fr/ et https://evil.example/we.tl")
    assert transfer_links(text) == ["https://wetransfer.com/downloads/abc/def"]
    assert download_deadline(text, None) == date(2027, 1, 12)
    from datetime import UTC, datetime

    assert download_deadline("https://we.tl/t-x", datetime(2026, 11, 20, tzinfo=UTC)) == \
        date(2026, 12, 20)
