"""Real mail servers on loopback for the mail tests: aiosmtpd (SMTP) and Dovecot (IMAP).

Each server is started by its fixture and stopped when the test ends.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import pytest

PASSWORD = "s3cret-Mot-de-Passe-7f2c"
USER = "lyon@technopolice.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]
    rcpt_options: list[str]


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    dsn: bool = True


@pytest.fixture
def smtp_server():
    """aiosmtpd on 127.0.0.1 with AUTH (USER / PASSWORD) and the DSN extension."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult

    server = SmtpServer("127.0.0.1", free_port())

    class Handler:
        async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
            session.host_name = hostname
            if server.dsn:
                responses.insert(len(responses) - 1, "250-DSN")
            return responses

        async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
            if address in server.refuse:
                return "550 5.1.1 Adresse inconnue"
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            return "250 OK"

        async def handle_DATA(self, smtp, session, envelope):
            server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                            envelope.original_content or envelope.content,
                                            list(envelope.mail_options),
                                            list(envelope.rcpt_options)))
            return "250 Message accepted"

    def authenticator(smtp, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        if ok:
            server.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    class DsnSMTP(SMTP):
        def _getparams(self, params):
            result = super()._getparams(params)
            if result is not None and server.dsn:
                for key in ("RET", "ENVID", "NOTIFY", "ORCPT"):
                    result.pop(key, None)
            return result

    class DsnController(Controller):
        def factory(self):
            return DsnSMTP(self.handler, **self.SMTP_kwargs)

    for attempt in range(3):  # the port may be taken meanwhile by a parallel test process
        controller = DsnController(Handler(), hostname=server.host, port=server.port,
                                   authenticator=authenticator, auth_required=True,
                                   auth_require_tls=False, decode_data=False)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if attempt == 2:
                raise
            server.port = free_port()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def mail_password(monkeypatch):
    monkeypatch.setenv("CADA_MAIL_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def smtp_setup(cli, smtp_server, mail_password):
    cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
        "--security", "none", "--from", USER, "--smtp-user", USER, ok=True)
    return smtp_server


@pytest.fixture
def imap_server():
    """Dovecot on 127.0.0.1, one account (USER / PASSWORD), stopped after the test."""
    import os

    from tests.mail.imap_server import ImapServer

    for attempt in range(3):  # the port may be taken meanwhile by a parallel test process
        try:
            server = ImapServer(port=free_port(), user=USER, password=PASSWORD).start()
            break
        except FileNotFoundError as exc:
            missing = exc
        except RuntimeError as exc:
            missing = exc
            if attempt < 2:
                continue
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot must run under CI, but cannot start: {missing}")
        pytest.skip(f"Dovecot unavailable: {missing}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_setup(cli, smtp_server, imap_server, mail_password):
    """SMTP on aiosmtpd and IMAP on Dovecot, both configured in cada."""
    cli("mail", "setup", "--smtp-host", smtp_server.host, "--smtp-port", smtp_server.port,
        "--security", "none", "--from", USER, "--smtp-user", USER,
        "--imap-host", imap_server.host, "--imap-port", imap_server.port,
        "--imap-security", "none", ok=True)
    return smtp_server, imap_server
