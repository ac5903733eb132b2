"""Talking to the mail servers (stdlib ``smtplib`` and ``imaplib``), errors in French.

Every error says what failed (authentication, refused recipient, network) without
the password: server replies pass through :meth:`Secret.redact` before they reach
a message, and exceptions are raised ``from None`` so that no traceback chains
the library's own exception.
"""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from cada_tracker.errors import CadaError
from cada_tracker.faults import reason
from cada_tracker.mail.config import MailConfig, Secret, Server

TIMEOUT = 30


class MailError(CadaError):
    """A mail server refused or could not be reached."""

    exit_code = 5


class RecipientRefused(MailError):
    """The server refused the recipient: other messages may still go."""


def _reply(value, secret: Secret | None) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = " ".join(str(value).split())[:300]
    return secret.redact(text) if secret else text


# OpenSSL's verification codes a user meets, in French (X509_V_ERR_*).
_CERTIFICATE = {10: "certificat expiré", 18: "certificat auto-signé",
                19: "certificat auto-signé dans la chaîne",
                20: "autorité de certification inconnue",
                21: "autorité de certification inconnue",
                62: "certificat établi pour un autre nom de serveur"}


def _why(exc: BaseException, secret: Secret | None) -> str:
    """Why a connection failed, in French: the library's own words are translated, the
    server's are quoted as its words (« … »), never passed off as cada's."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        return f"certificat du serveur refusé ({_CERTIFICATE.get(code, f'code {code}')})"
    if isinstance(exc, ssl.SSLError):
        if exc.reason == "WRONG_VERSION_NUMBER":
            return "le serveur ne parle pas TLS sur ce port (essayez --security starttls)"
        return f"erreur TLS ({exc.reason or 'négociation impossible'})"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "délai dépassé"
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(exc, smtplib.SMTPServerDisconnected | imaplib.IMAP4.abort | EOFError):
        return "connexion fermée par le serveur"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"réponse {exc.smtp_code} du serveur : « {_reply(exc.smtp_error, secret)} »"
    if isinstance(exc, OSError) and exc.errno:
        return reason(exc)
    if isinstance(exc, imaplib.IMAP4.error):
        return f"réponse du serveur : « {_reply(exc, secret)} »"
    return f"erreur inattendue ({type(exc).__name__})"


def _network(server: Server, what: str, exc: BaseException, secret: Secret | None) -> MailError:
    return MailError(f"{what} {server.host}:{server.port} injoignable : {_why(exc, secret)}.",
                     hint="Vérifiez l'hôte, le port et --security (starttls, tls, none).")


@contextmanager
def smtp_session(server: Server, secret: Secret | None) -> Iterator[smtplib.SMTP]:
    """A connected SMTP client, TLS as configured, logged in when a user is set."""
    try:
        if server.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        client.ehlo()
        if server.security == "starttls":
            if not client.has_extn("starttls"):
                client.close()
                raise MailError(f"Le serveur SMTP {server.host} ne propose pas STARTTLS.",
                                hint="Essayez --security tls (port 465).")
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
    except MailError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise _network(server, "Serveur SMTP", exc, secret) from None
    try:
        if server.user:
            if secret is None:
                raise MailError(f"Aucun mot de passe pour {server.user} (SMTP).",
                                hint="Définissez CADA_MAIL_PASSWORD, password_command "
                                     "(cada mail setup --password-command) ou le trousseau.")
            try:
                client.login(server.user, secret.reveal())
            except smtplib.SMTPAuthenticationError as exc:
                raise MailError(
                    f"Authentification SMTP refusée pour {server.user} : réponse du "
                    f"serveur « {_reply(exc.smtp_error, secret)} »") from None
            except smtplib.SMTPNotSupportedError:
                raise MailError(f"Le serveur SMTP {server.host} ne propose pas "
                                "d'authentification sur cette connexion.",
                                hint="Essayez --security starttls ou tls.") from None
            except (OSError, smtplib.SMTPException) as exc:
                raise _network(server, "Serveur SMTP", exc, secret) from None
        yield client
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def smtp_send(client: smtplib.SMTP, *, sender: str, recipients: list[str], raw: bytes,
              envid: str, secret: Secret | None) -> bool:
    """Send ``raw``; asks for delivery status notifications when the server has DSN.

    Returns whether DSN was requested.
    """
    dsn = client.has_extn("dsn")
    mail_options = ["RET=HDRS", f"ENVID={_xtext(envid)}"] if dsn else []
    rcpt_options = ["NOTIFY=FAILURE,DELAY"] if dsn else []
    try:
        refused = client.sendmail(sender, recipients, raw, mail_options, rcpt_options)
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{addr} ({code} {_reply(msg, secret)})"
                           for addr, (code, msg) in exc.recipients.items())
        raise RecipientRefused(f"Destinataire refusé par le serveur SMTP : {detail}.") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"Expéditeur {sender} refusé par le serveur SMTP : "
                        f"{exc.smtp_code} {_reply(exc.smtp_error, secret)}.") from None
    except smtplib.SMTPDataError as exc:
        raise MailError(f"Message refusé par le serveur SMTP : {exc.smtp_code} "
                        f"{_reply(exc.smtp_error, secret)}.") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Envoi interrompu (réseau) : {_why(exc, secret)}.") from None
    if refused:
        detail = "; ".join(f"{addr} ({code})" for addr, (code, _m) in refused.items())
        raise RecipientRefused(f"Destinataire refusé par le serveur SMTP : {detail}.")
    return dsn


def _xtext(value: str) -> str:
    """RFC 3461 xtext: printable ASCII except '+' and '=', others as +HH."""
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else f"+{ord(c):02X}"
                   for c in value)


@contextmanager
def imap_session(server: Server, secret: Secret | None) -> Iterator[imaplib.IMAP4]:
    try:
        if server.security == "tls":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                server.host, server.port, ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT)
        else:
            client = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT)
            if server.security == "starttls":
                client.starttls(ssl_context=ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise _network(server, "Serveur IMAP", exc, secret) from None
    try:
        if secret is None:
            raise MailError(f"Aucun mot de passe pour {server.user} (IMAP).",
                            hint="Définissez CADA_MAIL_PASSWORD, password_command ou le "
                                 "trousseau.")
        try:
            client.login(server.user or "", secret.reveal())
        except imaplib.IMAP4.error as exc:
            raise MailError(f"Authentification IMAP refusée pour {server.user} : réponse "
                            f"du serveur « {_reply(exc, secret)} »") from None
        except OSError as exc:
            raise _network(server, "Serveur IMAP", exc, secret) from None
        yield client
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_append(client: imaplib.IMAP4, folder: str, raw: bytes, secret: Secret | None) -> None:
    try:
        typ, data = client.append(_quote(folder), r"(\Seen)", None, raw)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailError(f"Copie dans le dossier IMAP « {folder} » impossible : "
                        f"{_why(exc, secret)}.") from None
    if typ != "OK":
        raise MailError(f"Copie dans le dossier IMAP « {folder} » refusée : "
                        f"{_reply(data, secret)}.")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def imap_messages(client: imaplib.IMAP4, folder: str, *, since: date | None,
                  secret: Secret | None, batch: int = 50) -> Iterator[bytes]:
    """Every message of ``folder`` (read-only: EXAMINE and BODY.PEEK), oldest first."""
    try:
        typ, data = client.select(_quote(folder), readonly=True)
        if typ != "OK":
            raise MailError(f"Dossier IMAP « {folder} » introuvable : {_reply(data, secret)}.")
        criteria = f"SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}" if since \
            else "ALL"
        typ, data = client.uid("SEARCH", None, criteria)
        if typ != "OK":
            raise MailError(f"Recherche IMAP refusée : {_reply(data, secret)}.")
        uids = data[0].split() if data and data[0] else []
        for start in range(0, len(uids), batch):
            chunk = b",".join(uids[start:start + batch]).decode()
            typ, data = client.uid("FETCH", chunk, "(BODY.PEEK[])")
            if typ != "OK":
                raise MailError(f"Lecture IMAP refusée : {_reply(data, secret)}.")
            for item in data:
                if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0]):
                    yield item[1]
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailError(f"Lecture du dossier IMAP « {folder} » interrompue : "
                        f"{_reply(exc, secret)}.") from None


def check(config: MailConfig, secret: Secret | None) -> list[tuple[str, bool, str]]:
    """What works: [(what, ok, detail in French)], one line per server."""
    results: list[tuple[str, bool, str]] = []
    try:
        with smtp_session(config.smtp, secret) as client:
            dsn = "avec" if client.has_extn("dsn") else "sans"
            auth = f"connecté en tant que {config.smtp.user}" if config.smtp.user \
                else "sans authentification"
            results.append(("SMTP", True, f"{config.smtp.host}:{config.smtp.port}, {auth}, "
                                          f"{dsn} accusés de remise (DSN)"))
    except MailError as exc:
        results.append(("SMTP", False, exc.message))
    if config.imap is not None:
        try:
            with imap_session(config.imap, secret) as client:
                typ, data = client.select(_quote(config.folder), readonly=True)
                if typ != "OK":
                    raise MailError(f"dossier « {config.folder} » introuvable")
                count = int(data[0]) if data and data[0] else 0
                results.append(("IMAP", True, f"{config.imap.host}:{config.imap.port}, dossier "
                                              f"« {config.folder} » : {count} message(s)"))
        except MailError as exc:
            results.append(("IMAP", False, exc.message))
        except (OSError, imaplib.IMAP4.error) as exc:
            results.append(("IMAP", False, _reply(exc, secret)))
    return results
