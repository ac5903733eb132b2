"""The mail loop as a user lives it, against real servers: aiosmtpd (SMTP), Dovecot (IMAP).

Set up, send a request, receive the automatic acknowledgement and a reply with a
PDF, fetch them twice, see the request's events, files and deadlines; a bounce
makes ``cada overdue`` propose the post. No password anywhere, ever.
"""

from __future__ import annotations

from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.mail.conftest import PASSWORD
from tests.mail.helpers import message

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")


@pytest.fixture
def transcript(cli):
    """``cli`` that keeps every output, to search it for the password at the end."""
    seen: list[str] = []

    def run(*args, ok=None):
        result = cli(*args, ok=ok)
        seen.extend([result.stdout, result.stderr])
        return result

    run.seen = seen
    return run


def test_the_mail_loop(transcript, mail_setup, admin_id, isolated_home, monkeypatch, tmp_path):
    cli = transcript
    smtp, imap = mail_setup
    checked = cli("mail", "setup", "--check")
    assert checked.exit_code == 0, checked.stderr
    assert "SMTP" in checked.stderr and "IMAP" in checked.stderr and "0 message(s)" in \
        checked.stderr

    refs = [cli("new", "--to", admin_id, "--subject", subject, "--doc", "Liste des caméras",
                "--doc", "Délibérations", "--campaign", "vsa", "--json", ok=True)
            .json()["reference"] for subject in ("Vidéosurveillance", "Drones")]
    monkeypatch.setenv("CADA_TODAY", "2026-10-30")
    sent = cli("mail", "send", "--campaign", "vsa", "--json", ok=True).json()
    assert [s["reference"] for s in sent["sent"]] == refs and sent["warnings"] == []
    ids = {s["reference"]: s["message_id"] for s in sent["sent"]}
    # The sent messages went through SMTP and were copied to the Sent folder, read.
    assert len(smtp.messages) == 2
    copies = imap.messages("Sent")
    assert len(copies) == 2 and all(b"\\Seen" in flags for flags, _raw in copies)
    assert {BytesParser(policy=policy.default).parsebytes(raw)["Message-ID"]
            for _f, raw in copies} == set(ids.values())

    first, second = refs
    for name in ("01-accuse-reception.eml", "02-reponse-pdf.eml"):
        imap.deliver(message(name, reference=first, message_id=ids[first]))
    imap.deliver(message("04-bounce.eml", reference=second, message_id=ids[second]))
    monkeypatch.setenv("CADA_TODAY", "2026-11-30")

    fetched = cli("mail", "fetch", "--apply-acks", "--json", ok=True).json()
    assert fetched["imported"] == 3 and fetched["unmatched"] == []
    assert sorted((m["reference"], m["kind"]) for m in fetched["matched"]) == \
        [(first, "ack"), (first, "reply"), (second, "bounce")]
    assert fetched["bounces"][0]["reference"] == second
    again = cli("mail", "fetch", "--json", ok=True).json()
    assert again["imported"] == 0 and again["duplicates"] == 3
    # Read-only: nothing was marked as read in the mailbox.
    assert all(b"\\Seen" not in flags for flags, _raw in imap.messages("INBOX"))
    # --since filters on the date the server received the messages (today, really).
    real_today = date.today()
    later = cli("mail", "fetch", "--since", str(real_today + timedelta(days=1)), "--json",
                ok=True).json()
    assert later["imported"] == later["duplicates"] == 0
    recent = cli("mail", "fetch", "--since", str(real_today), "--json", ok=True).json()
    assert recent["imported"] == 0 and recent["duplicates"] == 3

    shown = cli("show", first, "--json", ok=True).json()
    assert [(e["kind"], e["on"]) for e in shown["events"]] == [
        ("sent", "2026-10-30"), ("mail", "2026-11-02"), ("received", "2026-11-02"),
        ("mail", "2026-11-17")]
    assert shown["received_on"] == "2026-11-02"
    steps = {s["key"]: s["date"] for s in shown["deadlines"]["steps"]}
    assert steps["implicit_refusal"] == "2026-12-02"
    files = {f["name"] for f in shown["files"]}
    assert "deliberation-2026-14.pdf" in files and f"{first}-courriel.eml" in files
    assert [m["direction"] for m in shown["messages"]] == ["out", "in", "in"]
    assert cli("db", "check").exit_code == 0

    overdue = cli("overdue", "--json").json()["action_needed"]
    by_ref = {(i["reference"], i["category"]): i["message"] for i in overdue}
    assert by_ref[(second, "mail_bounce")] == \
        f"courriel non distribué : envoyer par la poste (cada export {second})"
    assert by_ref[(first, "mail_reply")].startswith(f"réponse à qualifier : cada answer {first}")
    cli("answer", first, "--on", "2026-11-17", "--outcome", "partial", "--got", "2",
        "--refused", "1", ok=True)
    assert (first, "mail_reply") not in {(i["reference"], i["category"])
                                         for i in cli("overdue", "--json").json()
                                         ["action_needed"]}
    draft = cli("mail", "draft", second, "--out", str(tmp_path / "eml"))
    assert draft.exit_code == 4  # already sent: the record, not a new draft

    # The password appears in no output and no file cada wrote.
    secret = PASSWORD.encode()
    assert not [text for text in cli.seen if PASSWORD in text]
    for path in [*isolated_home.rglob("*"), *Path.cwd().rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file() and "cada-imap-" not in str(path):
            assert secret not in path.read_bytes(), f"password found in {path}"


def test_fetch_errors_are_french_and_never_show_the_password(cli, imap_server, smtp_server,
                                                            mail_password, monkeypatch):
    cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
        "--security", "none", "--from", "lyon@technopolice.example", ok=True)
    no_imap = cli("mail", "fetch")
    assert no_imap.exit_code == 2 and "IMAP" in no_imap.stderr
    cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
        "--security", "none", "--from", "lyon@technopolice.example",
        "--imap-host", imap_server.host, "--imap-port", imap_server.port,
        "--imap-user", "lyon@technopolice.example", "--imap-security", "none",
        "--imap-folder", "Absent", ok=True)
    missing = cli("mail", "fetch")
    assert missing.exit_code == 5 and "Absent" in missing.stderr
    monkeypatch.setenv("CADA_MAIL_PASSWORD", "Mauvais-Secret-42")
    refused = cli("mail", "fetch")
    assert refused.exit_code == 5 and "Authentification IMAP refusée" in refused.stderr
    assert "Mauvais-Secret-42" not in refused.stderr + refused.stdout
