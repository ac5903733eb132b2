"""cada mail import / inbox / assign: replies matched, filed with their files, once."""

from __future__ import annotations

import hashlib
import mailbox

import pytest

from tests.conftest import stored_bytes
from tests.mail.helpers import message, write

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")


@pytest.fixture
def sent(cli, smtp_setup, draft_ref, monkeypatch):
    """A request sent by e-mail on 30/10/2026; today is 30/11/2026."""
    monkeypatch.setenv("CADA_TODAY", "2026-10-30")
    cli("mail", "send", draft_ref, ok=True)
    monkeypatch.setenv("CADA_TODAY", "2026-11-30")
    shown = cli("show", draft_ref, "--json", ok=True).json()
    return draft_ref, shown["events"][0]["tracking"]


def _import(cli, *paths, extra=()):
    return cli("mail", "import", *map(str, paths), *extra, "--json", ok=True).json()


def test_ack_reply_and_pdf_are_filed_once(backend, cli, sent, tmp_path, isolated_home):
    ref, msgid = sent
    paths = write(tmp_path / "in", ["01-accuse-reception.eml", "02-reponse-pdf.eml"],
                  reference=ref, message_id=msgid)
    first = _import(cli, *paths)
    assert first["imported"] == 2 and first["duplicates"] == 0 and first["unmatched"] == []
    kinds = {m["kind"]: m for m in first["matched"]}
    assert kinds["ack"]["reference"] == ref and kinds["ack"]["matched_by"] == "thread"
    assert kinds["reply"]["files"] == ["deliberation-2026-14.pdf"]
    [suggestion] = first["suggestions"]
    assert suggestion["commands"][0] == f"cada received {ref} --on 2026-11-02"
    assert not suggestion["applied"]
    again = _import(cli, *paths)
    assert again["imported"] == 0 and again["duplicates"] == 2 and again["matched"] == []

    shown = cli("show", ref, "--json", ok=True).json()
    assert [(e["kind"], e["on"], e["outcome"]) for e in shown["events"]] == [
        ("sent", "2026-10-30", None), ("mail", "2026-11-02", "ack"),
        ("mail", "2026-11-17", "reply")]
    assert shown["status"] == "sent"  # nothing decided from the wording
    received = [m for m in shown["messages"] if m["direction"] == "in"]
    assert [m["files"] for m in received] == [[], ["deliberation-2026-14.pdf"]]
    for m, path in zip(received, paths, strict=True):
        kept = stored_bytes(cli, isolated_home, ref, m["raw"], tmp_path / "copies")
        assert kept == path.read_bytes()  # byte for byte
        assert hashlib.sha256(kept).hexdigest() == m["sha256"]
    pdf = next(f for f in shown["files"] if f["name"] == "deliberation-2026-14.pdf")
    import pdfplumber

    copy = tmp_path / "piece.pdf"
    copy.write_bytes(stored_bytes(cli, isolated_home, ref, pdf["path"], tmp_path / "copies"))
    with pdfplumber.open(copy) as doc:
        assert "Deliberation du conseil municipal" in doc.pages[0].extract_text()
    text = cli("show", ref, ok=True).stdout
    assert "Courriels" in text and "deliberation-2026-14.pdf" in text
    assert "accusé de réception automatique" in text
    assert "02/11/2026 09:14 ← ne-pas-repondre@mairie-lyon.example" in text  # French time
    assert received[0]["date"] == "2026-11-02T08:14:02+00:00"
    assert cli("db", "check").exit_code == 0


def test_apply_acks_records_the_receipt(cli, sent, tmp_path):
    ref, msgid = sent
    [path] = write(tmp_path, ["01-accuse-reception.eml"], reference=ref, message_id=msgid)
    report = _import(cli, path, extra=["--apply-acks"])
    assert report["suggestions"][0]["applied"] is True
    shown = cli("show", ref, "--json", ok=True).json()
    assert shown["received_on"] == "2026-11-02" and shown["status"] == "received"
    assert shown["deadlines"]["steps"][0]["date"] == "2026-12-02"


def test_every_shape_of_the_test_data(cli, sent, tmp_path):
    ref, msgid = sent
    names = ["03-outlook-winmail.eml", "04-bounce.eml", "05-absence.eml", "06-latin1.eml",
             "07-zip-transfert.eml", "09-transfert-imbrique.eml"]
    paths = write(tmp_path, names, reference=ref, message_id=msgid)
    report = _import(cli, *paths)
    by_id = {m["message_id"]: m for m in report["matched"]}
    outlook = by_id["<DB9PR02MB7339A1B2C3D4E5F6@DB9PR02MB7339.eurprd02.prod.outlook.example>"]
    assert (outlook["kind"], outlook["matched_by"], outlook["files"]) == \
        ("reply", "subject", ["winmail.dat"])
    bounce = by_id["<20261030090312.1C2F6@mx.technopolice.example>"]
    assert (bounce["kind"], bounce["matched_by"]) == ("bounce", "thread")
    assert report["bounces"] == [{"message_id": bounce["message_id"], "reference": ref,
                                  "on": "2026-10-30"}]
    assert by_id["<ooo.5521@mairie-lyon.example>"]["kind"] == "auto_reply"
    latin = by_id["<latin1.8812@mairie-lyon.example>"]
    assert (latin["kind"], latin["matched_by"]) == ("reply", "sender")  # a guess
    zipped = by_id["<zip.9001@mairie-lyon.example>"]
    assert zipped["files"] == ["cameras.zip"]
    assert report["downloads"][0]["until"] == "2026-12-04"
    assert report["downloads"][0]["links"][0].startswith("https://francetransfert.numerique")
    nested = by_id["<fwd.77@mairie-lyon.example>"]
    assert nested["files"] == ["courriel-du-service.eml", "deliberation-signee.pdf"]
    shown = cli("show", ref, "--json", ok=True).json()
    latin_msg = next(m for m in shown["messages"] if m["message_id"] == latin["message_id"])
    assert latin_msg["subject"] == "Votre demande de documents électroniques"
    assert "rattaché d'après l'expéditeur" in cli("show", ref, ok=True).stdout


def test_mbox_and_maildir_import(cli, sent, tmp_path):
    ref, msgid = sent
    box = mailbox.mbox(tmp_path / "boite.mbox")
    box.add(message("02-reponse-pdf.eml", reference=ref, message_id=msgid))
    box.add(message("05-absence.eml", reference=ref, message_id=msgid))
    box.close()
    md = mailbox.Maildir(tmp_path / "Maildir", create=True)
    md.add(message("02-reponse-pdf.eml", reference=ref, message_id=msgid))
    md.add(message("01-accuse-reception.eml", reference=ref, message_id=msgid))
    md.close()
    report = _import(cli, tmp_path / "boite.mbox", tmp_path / "Maildir")
    assert report["imported"] == 3 and report["duplicates"] == 1
    assert sorted(m["kind"] for m in report["matched"]) == ["ack", "auto_reply", "reply"]


def test_unmatched_waits_in_the_inbox_escaped_then_assign_files_it(backend, cli, sent,
                                                                    tmp_path):
    ref, msgid = sent
    [path] = write(tmp_path, ["08-hostile.eml"], reference=ref, message_id=msgid)
    report = _import(cli, path)
    [waiting] = report["unmatched"]
    listed = cli("mail", "inbox")
    assert listed.exit_code == 0, listed.stderr
    # The subject as written, as text: its markup neither applied nor backslashed.
    assert "[font=100][fusion 2016] [/] Elections" in listed.stdout
    assert "\\[" not in listed.stdout
    assert "\x1b" not in listed.stdout and "\x0b" not in listed.stdout
    assert cli("mail", "inbox", "--json", ok=True).json()[0]["message_id"] == \
        "<hostile.1@ailleurs.example>"
    said = cli("mail", "assign", waiting["message_id"], ref, ok=True).stderr
    assert "fichiers : _.._etc_[red]passwd[_red] [2J.txt" in said and "\x1b" not in said
    [m] = cli("show", ref, "--json", ok=True).json()["messages"][-1:]
    assert m["matched_by"] == "manual" and m["message_id"] == waiting["message_id"]
    [name] = m["files"]
    assert "\x1b" not in name and "/" not in name
    assert cli("mail", "inbox", "--json", ok=True).json() == []
    assert cli("mail", "assign", waiting["message_id"], ref).exit_code == 4
    assert cli("mail", "assign", "<nope@x>", ref).exit_code == 3
    text = cli("show", ref, ok=True).stdout
    assert "\x1b" not in text and "\x0b" not in text
    assert cli("db", "check").exit_code == 0


def test_import_errors_are_french(cli, tmp_path):
    missing = cli("mail", "import", str(tmp_path / "absent.eml"))
    assert missing.exit_code == 2 and "introuvable" in missing.stderr
    (tmp_path / "dossier").mkdir()
    notmaildir = cli("mail", "import", str(tmp_path / "dossier"))
    assert notmaildir.exit_code == 2 and "Maildir" in notmaildir.stderr



def _overdue(cli):
    result = cli("overdue", "--json")
    assert result.exit_code in (0, 1), result.stderr
    return {(i["category"], i["reference"]): i for i in result.json()["action_needed"]}


def test_overdue_proposes_the_post_after_a_bounce_until_it_is_sent(backend, cli, sent,
                                                                   tmp_path):
    ref, msgid = sent
    [path] = write(tmp_path, ["04-bounce.eml"], reference=ref, message_id=msgid)
    _import(cli, path)
    items = _overdue(cli)
    assert items[("mail_bounce", ref)]["message"] == \
        f"courriel non distribué : envoyer par la poste (cada export {ref})"
    text = cli("overdue").stdout
    assert "courriel non distribué" in text and f"cada export {ref}" in text
    cli("sent", ref, "--on", "2026-11-30", "--via", "lrar", ok=True)
    assert ("mail_bounce", ref) not in _overdue(cli)


def test_a_reply_waits_to_be_qualified_and_its_download_link_too(cli, sent, tmp_path):
    ref, msgid = sent
    paths = write(tmp_path, ["05-absence.eml", "07-zip-transfert.eml"], reference=ref,
                  message_id=msgid)
    _import(cli, *paths)
    items = _overdue(cli)
    reply = items[("mail_reply", ref)]
    assert reply["message"].startswith(f"réponse à qualifier : cada answer {ref} --on "
                                       "2026-11-20")
    download = items[("mail_download", ref)]
    assert download["date"] == "2026-12-04"
    assert download["message"].startswith("télécharger avant le 04/12/2026 : https://")
    assert len([k for k in items if k[0] == "mail_reply"]) == 1  # the absence never counts
    cli("answer", ref, "--on", "2026-11-20", "--outcome", "partial", "--got", "1", ok=True)
    items = _overdue(cli)
    assert ("mail_reply", ref) not in items and ("mail_download", ref) not in items


def test_db_check_rehashes_the_raw_messages(cli, sent, tmp_path, isolated_home):
    from sqlalchemy import create_engine, text

    from cada_tracker.paths import resolve

    ref, msgid = sent
    paths = write(tmp_path, ["02-reponse-pdf.eml", "08-hostile.eml"], reference=ref,
                  message_id=msgid)
    _import(cli, *paths)
    checked = cli("db", "check", "--json", ok=True).json()
    assert checked["problems"] == []
    engine = create_engine(resolve().database_url)
    with engine.begin() as db:
        db.execute(text("UPDATE mail_message SET raw = :raw WHERE request_id IS NULL"),
                   {"raw": b"Subject: autre\n\nfalsifie\n"})
    engine.dispose()
    tampered = cli("db", "check")
    assert tampered.exit_code == 1 and "<hostile.1@ailleurs.example> modifié" in tampered.stderr
    raw = next(m for m in cli("show", ref, "--json", ok=True).json()["messages"]
               if m["direction"] == "in")["raw"]
    (isolated_home / raw).write_bytes(b"Subject: remplace\n\n")
    assert f"fichier modifié {isolated_home / raw}" in cli("db", "check").stderr


def test_a_mangled_file_is_kept_in_the_inbox_not_a_traceback(cli, sent, tmp_path):
    ref, msgid = sent
    raw = message("04-bounce.eml", reference=ref, message_id=msgid)
    cut = raw.index(b"Message-Id: <") + len(b"Message-Id: <")
    (tmp_path / "casse.eml").write_bytes(raw[:cut])
    (tmp_path / "binaire.eml").write_bytes(bytes(range(256)) * 4)
    report = _import(cli, tmp_path / "casse.eml", tmp_path / "binaire.eml")
    assert report["imported"] == 2
    assert cli("db", "check").exit_code == 0


def test_show_prints_the_e_mails_without_their_control_characters(cli, sent, tmp_path):
    import base64
    import re

    ref, msgid = sent
    subject = f"Réponse \u061cALM \x1b[31mrouge \u202eabc [fusion 2016]"
    encoded = f"=?utf-8?b?{base64.b64encode(subject.encode()).decode()}?="
    raw = re.sub(rb"(?m)^Subject: .*$", f"Subject: {encoded}".encode(),
                 message("02-reponse-pdf.eml", reference=ref, message_id=msgid), count=1)
    path = tmp_path / "reponse.eml"
    path.write_bytes(raw)
    assert _import(cli, path)["matched"][0]["reference"] == ref
    shown = cli("show", ref, ok=True).stdout
    courriels = shown[shown.index("Courriels"):]
    assert "[fusion 2016]" in courriels and "rouge" in courriels
    for char in ("\u061c", "\x1b", "\u202e"):
        assert char not in shown, f"raw {char!r} in cada show"


def test_a_message_id_too_long_for_an_index_is_kept_as_its_digest(backend, cli, sent,
                                                                   tmp_path):
    """A forged Message-ID of 3,000 characters broke PostgreSQL's index limit (exit 70,
    in English). It is stored as a digest of itself, the same wherever it appears:
    the reply to it still finds its request."""
    ref, msgid = sent
    long_id = "<" + "x" * 3000 + "@mairie-lyon.example>"
    folder = tmp_path / "in"
    folder.mkdir()
    reply = message("02-reponse-pdf.eml", reference=ref, message_id=msgid).replace(
        b"<20261117154011.GA3321@mairie-lyon.example>", long_id.encode())
    (folder / "a.eml").write_bytes(reply)
    answer = message("01-accuse-reception.eml", reference="sans-reference", message_id=long_id)
    answer = answer.replace(b"Message-ID: <", b"Message-ID: <autre.", 1)
    (folder / "b.eml").write_bytes(answer)
    report = _import(cli, folder / "a.eml", folder / "b.eml")
    assert report["imported"] == 2 and report["unmatched"] == []
    assert all(m["reference"] == ref for m in report["matched"])
    assert [m["matched_by"] for m in report["matched"]] == ["thread", "thread"]
    stored = [m["message_id"] for m in cli("show", ref, "--json", ok=True).json()["messages"]]
    assert all(len(i) <= 500 for i in stored)
