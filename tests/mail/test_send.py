"""cada mail setup, draft and send against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.mail.conftest import PASSWORD, USER

# aiosmtpd warns that AUTH without TLS is unsafe: the server is on loopback, for tests.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")


def _parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_setup_writes_the_mail_section_without_the_password(cli, isolated_home, mail_password):
    result = cli("mail", "setup", "--smtp-host", "smtp.exemple.org", "--smtp-port", "587",
                 "--security", "starttls", "--from", USER, "--smtp-user", USER,
                 "--imap-host", "imap.exemple.org", "--imap-port", "993",
                 "--password-command", "pass show courriel", ok=True)
    path = Path(cli("db", "path", "--json", ok=True).json()["config_file"])
    assert path == isolated_home / "config.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = tomllib.loads(path.read_text())["mail"]
    assert data["smtp"] == {"host": "smtp.exemple.org", "port": 587, "security": "starttls",
                            "user": USER}
    assert data["imap"]["security"] == "tls" and data["imap"]["user"] == USER
    assert data["password_command"] == "pass show courriel"
    assert PASSWORD not in path.read_text() and PASSWORD not in result.stderr


def test_setup_refuses_bad_values_in_french(cli):
    bad = cli("mail", "setup", "--smtp-host", "h", "--smtp-port", "587", "--security", "ssl",
              "--from", USER)
    assert bad.exit_code == 2 and "--security" in bad.stderr and "starttls" in bad.stderr
    bad = cli("mail", "setup", "--smtp-host", "h", "--smtp-port", "587", "--security", "tls",
              "--from", "pas-une-adresse")
    assert bad.exit_code == 2 and "adresse électronique" in bad.stderr
    no_user = cli("mail", "setup", "--smtp-host", "h", "--smtp-port", "587", "--security",
                  "tls", "--from", USER, "--imap-host", "imap.exemple.org")
    assert no_user.exit_code == 2 and "--imap-user" in no_user.stderr
    missing = cli("mail", "send", "2026-0001")
    assert missing.exit_code == 2 and "pas configuré" in missing.stderr


def test_setup_check_says_what_works(cli, smtp_server, mail_password, monkeypatch):
    ok = cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
             "--security", "none", "--from", USER, "--smtp-user", USER, "--check")
    assert ok.exit_code == 0, ok.stderr
    assert "SMTP" in ok.stderr and "connecté en tant que" in ok.stderr and "avec accusés" \
        in ok.stderr
    monkeypatch.setenv("CADA_MAIL_PASSWORD", "mauvais")
    refused = cli("mail", "setup", "--check")
    assert refused.exit_code == 5 and "Authentification SMTP refusée" in refused.stderr
    assert "mauvais" not in refused.stderr
    closed = cli("mail", "setup", "--smtp-host", "127.0.0.1", "--smtp-port",
                 str(smtp_server.port + 1 if smtp_server.port < 65535 else 1),
                 "--security", "none", "--from", USER, "--check")
    assert closed.exit_code == 5 and "injoignable" in closed.stderr


def test_draft_writes_an_eml_any_client_opens(cli, draft_ref):
    data = cli("mail", "draft", draft_ref, "--out", "courriels", "--json", ok=True).json()
    path = Path(data["path"])
    assert path == Path("courriels") / f"{draft_ref}-courriel.eml"
    msg = _parse(path.read_bytes())
    assert msg["To"] == "prada@mairie-lyon.example" == data["to"]
    assert msg["From"].addresses[0].addr_spec == "lyon@technopolice.example"
    assert msg["Subject"].startswith(f"[CADA {draft_ref}] Demande de communication")
    assert msg["Message-ID"] == data["message_id"]
    assert data["message_id"].startswith(f"<cada.{draft_ref}.")
    assert data["message_id"].endswith("@technopolice.example>")
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Liste des caméras" in plain and "<" not in plain
    assert "Liste des caméras" in html
    pdf = next(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    # A second draft keeps the Message-ID recorded on the request.
    again = cli("mail", "draft", draft_ref, "--out", "courriels", "--json", ok=True).json()
    assert again["message_id"] == data["message_id"]


def test_send_records_the_sent_event_with_the_raw_message(cli, smtp_setup, draft_ref,
                                                           isolated_home):
    drafted = cli("mail", "draft", draft_ref, "--json", ok=True).json()
    result = cli("mail", "send", draft_ref, "--json", ok=True).json()
    assert [s["reference"] for s in result["sent"]] == [draft_ref]
    [got] = smtp_setup.messages
    assert smtp_setup.logins == [USER]
    assert got.rcpt_tos == ["prada@mairie-lyon.example"]
    assert "RET=HDRS" in got.mail_options and "NOTIFY=FAILURE,DELAY" in got.rcpt_options
    assert _parse(got.content)["Message-ID"] == drafted["message_id"]
    shown = cli("show", draft_ref, "--json", ok=True).json()
    [sent] = shown["events"]
    assert (sent["kind"], sent["channel"], sent["tracking"]) == \
        ("sent", "email", drafted["message_id"])
    [stored] = [f for f in shown["files"] if f["event"] == sent["id"]]
    kept = (isolated_home / stored["path"]).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == stored["sha256"] == result["sent"][0]["sha256"]
    assert kept == got.content.replace(b"\r\n", b"\n") or kept == got.content
    assert shown["status"] == "sent"
    assert cli("db", "check").exit_code == 0
    # Re-running skips what was sent.
    again = cli("mail", "send", draft_ref, "--json", ok=True).json()
    assert again["sent"] == [] and again["skipped"][0]["reference"] == draft_ref
    assert len(smtp_setup.messages) == 1


def test_campaign_send_is_resumable_and_dry_run_sends_nothing(cli, smtp_setup, admin_id):
    refs = []
    for subject in ("Caméras", "Drones"):
        refs.append(cli("new", "--to", admin_id, "--subject", subject, "--doc", "Liste",
                        "--campaign", "vsa", "--json", ok=True).json()["reference"])
    dry = cli("mail", "send", "--campaign", "vsa", "--dry-run", "--json", ok=True).json()
    assert [s["reference"] for s in dry["sent"]] == refs and smtp_setup.messages == []
    assert cli("show", refs[0], "--json", ok=True).json()["status"] == "draft"
    cli("mail", "send", refs[0], ok=True)
    second = cli("mail", "send", "--campaign", "vsa", "--pace", "0", "--json", ok=True).json()
    assert [s["reference"] for s in second["sent"]] == [refs[1]]
    assert [s["reference"] for s in second["skipped"]] == [refs[0]]
    assert len(smtp_setup.messages) == 2


def test_refused_recipient_leaves_the_request_unsent(cli, smtp_setup, draft_ref):
    smtp_setup.refuse.add("prada@mairie-lyon.example")
    result = cli("mail", "send", draft_ref)
    assert result.exit_code == 5
    assert "Destinataire refusé" in result.stderr and "550" in result.stderr
    shown = cli("show", draft_ref, "--json", ok=True).json()
    assert shown["status"] == "draft" and shown["events"] == [] and shown["files"] == []


def test_wrong_password_is_an_authentication_error_without_the_password(
        cli, smtp_setup, draft_ref, monkeypatch):
    monkeypatch.setenv("CADA_MAIL_PASSWORD", "Faux-Mot-De-Passe-99")
    result = cli("mail", "send", draft_ref)
    assert result.exit_code == 5 and "Authentification SMTP refusée" in result.stderr
    assert "Faux-Mot-De-Passe-99" not in result.stderr + result.stdout
    assert cli("show", draft_ref, "--json", ok=True).json()["status"] == "draft"


def test_network_failure_says_so(cli, draft_ref, mail_password):
    from tests.mail.conftest import free_port

    cli("mail", "setup", "--smtp-host", "127.0.0.1", "--smtp-port", free_port(),
        "--security", "none", "--from", USER, ok=True)
    result = cli("mail", "send", draft_ref)
    assert result.exit_code == 5 and "injoignable" in result.stderr
    assert "connexion refusée" in result.stderr


def test_password_command_is_used(cli, smtp_server, draft_ref, monkeypatch, tmp_path):
    monkeypatch.delenv("CADA_MAIL_PASSWORD", raising=False)
    script = tmp_path / "pw.sh"
    script.write_text(f"#!/bin/sh\necho '{PASSWORD}'\n")
    script.chmod(0o700)
    cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
        "--security", "none", "--from", USER, "--smtp-user", USER,
        "--password-command", str(script), ok=True)
    cli("mail", "send", draft_ref, ok=True)
    assert smtp_server.logins == [USER]


def test_draft_needs_an_address_and_a_draft(cli, profile):
    admin = cli("admin", "add", "Mairie sans courriel", "--kind", "commune", "--postcode",
                "69100", "--city", "Villeurbanne", "--json", ok=True).json()["id"]
    ref = cli("new", "--to", admin, "--subject", "Caméras", "--doc", "Liste", "--json",
              ok=True).json()["reference"]
    result = cli("mail", "draft", ref)
    assert result.exit_code == 2 and "n'a pas d'adresse électronique" in result.stderr
    assert "cada export" in result.stderr
    cli("sent", ref, "--on", "2026-11-02", "--via", "lrar", ok=True)
    assert cli("mail", "draft", ref).exit_code == 4


def test_the_keyring_gives_the_password(cli, smtp_server, draft_ref, monkeypatch):
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1
        store: dict = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        keyring.set_password("cada", USER, PASSWORD)
        monkeypatch.delenv("CADA_MAIL_PASSWORD", raising=False)
        result = cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port",
                     smtp_server.port, "--security", "none", "--from", USER, "--smtp-user",
                     USER, "--check", ok=True)
        assert "trousseau" in result.stderr and PASSWORD not in result.stderr
        cli("mail", "send", draft_ref, ok=True)
        assert smtp_server.logins == [USER, USER]
    finally:
        keyring.set_keyring(previous)


class _Rude:
    """A loopback TCP server that greets each client with ``greeting`` and hangs up;
    stopped by the test that starts it."""

    def __init__(self, greeting: bytes) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = str(self.sock.getsockname()[1])
        self.greeting = greeting
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)

    def stop(self) -> None:
        import socket

        # close() alone does not wake a thread blocked in accept() (Linux): the join
        # then waited its whole timeout; shutdown() makes accept() fail at once.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
        assert not self.thread.is_alive()


@pytest.mark.parametrize("greeting, security, said", [
    (b"", "none", "connexion fermée par le serveur"),
    (b"220 smtp.example ESMTP\r\n", "tls",
     "le serveur ne parle pas TLS sur ce port (essayez --security starttls)"),
    (b"554 5.7.1 no thanks\r\n", "none", "réponse 554 du serveur : « 5.7.1 no thanks »"),
])
def test_what_the_library_says_is_said_in_french(cli, greeting, security, said):
    """smtplib's own words (« Connection unexpectedly closed », OpenSSL's
    WRONG_VERSION_NUMBER) reached the user in English; the server's are quoted."""
    server = _Rude(greeting)
    try:
        result = cli("mail", "setup", "--smtp-host", "127.0.0.1", "--smtp-port", server.port,
                     "--security", security, "--from", USER, "--check")
    finally:
        server.stop()
    assert result.exit_code == 5
    assert f"injoignable : {said}." in result.stderr, result.stderr
    assert "Connection" not in result.stderr and "WRONG_VERSION" not in result.stderr
