"""The ``[mail]`` section of cada's TOML settings, and where the password comes from.

The file is ``paths.Locations.config_file`` (``cada db path`` shows it)::

    [mail]
    from = "lyon@technopolice.example"
    password_command = "pass show courriel/lyon"

    [mail.smtp]
    host = "smtp.example.org"
    port = 587
    security = "starttls"
    user = "lyon@technopolice.example"

    [mail.imap]
    host = "imap.example.org"
    port = 993
    security = "tls"
    user = "lyon@technopolice.example"
    folder = "INBOX"
    sent_folder = "Sent"

The password is never written anywhere: it comes from ``CADA_MAIL_PASSWORD``,
else from ``password_command`` (its first output line), else from the system
keyring (service ``cada``, the SMTP user), when the optional ``keyring`` package
has a backend. It travels as a :class:`Secret`, whose ``str`` and ``repr`` are
masked, so that no message or traceback can show it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cada_tracker.errors import CadaError, InputError
from cada_tracker.fileio import atomic_write_text
from cada_tracker.readerrors import read_reason, toml_reason

SECURITIES = {"starttls": "STARTTLS", "tls": "TLS implicite", "none": "sans chiffrement"}
PASSWORD_ENV = "CADA_MAIL_PASSWORD"
KEYRING_SERVICE = "cada"
_ADDRESS = re.compile(r"\A[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+\Z")


class Secret:
    """A password: only :meth:`reveal` gives it; printing it shows ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with the password replaced by ``***`` wherever it stands on its own
        (``dburl.mask``: a password that is also a word leaves the words alone)."""
        from cada_tracker.dburl import mask

        return mask(text, self._value) if self._value else text

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str
    user: str | None


@dataclass(frozen=True)
class MailConfig:
    sender: str
    smtp: Server
    imap: Server | None = None
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    password_command: str | None = None

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[1].lower()

    def to_dict(self) -> dict:
        mail: dict = {"from": self.sender}
        if self.password_command:
            mail["password_command"] = self.password_command
        mail["smtp"] = _server_dict(self.smtp)
        if self.imap is not None:
            mail["imap"] = {**_server_dict(self.imap), "folder": self.folder,
                            "sent_folder": self.sent_folder}
        return mail


def _server_dict(server: Server) -> dict:
    data: dict = {"host": server.host, "port": server.port, "security": server.security}
    if server.user:
        data["user"] = server.user
    return data


def check_address(value: str, *, field: str) -> str:
    value = value.strip()
    if not _ADDRESS.match(value):
        raise InputError(f"{field} : « {value} » n'est pas une adresse électronique valide.")
    return value


def check_security(value: str, *, field: str = "--security") -> str:
    key = value.strip().lower()
    if key not in SECURITIES:
        raise InputError(f"{field} : « {value} » n'est pas une valeur possible "
                         f"(valeurs : {', '.join(SECURITIES)}).")
    return key


def check_port(value: int, *, field: str) -> int:
    if not 1 <= value <= 65535:
        raise InputError(f"{field} : {value} n'est pas un port (1 à 65535).")
    return value


def check_host(value: str, *, field: str) -> str:
    value = value.strip()
    if not value or any(c.isspace() or ord(c) < 32 for c in value) or "/" in value:
        raise InputError(f"{field} : « {value} » n'est pas un nom de serveur valide.")
    return value


def read_settings(path: Path) -> dict:
    """The whole settings file as a dict ({} when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Réglages illisibles : {path} ({read_reason(exc)}).") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"Réglages invalides dans {path} : {toml_reason(exc)}.",
                         hint="Corrigez le fichier ou relancez cada mail setup.") from exc


def load(path: Path) -> MailConfig:
    """The ``[mail]`` section, validated; a French error when it is missing or wrong."""
    mail = read_settings(path).get("mail")
    if not isinstance(mail, dict) or "smtp" not in mail:
        raise CadaError("Le courriel n'est pas configuré.",
                        hint="cada mail setup --smtp-host H --smtp-port P --security starttls "
                             "--from ADRESSE")
    try:
        smtp = _server(mail["smtp"], "smtp")
        imap = _server(mail["imap"], "imap") if "imap" in mail else None
        return MailConfig(
            sender=check_address(str(mail["from"]), field=f"{path} [mail] from"),
            smtp=smtp, imap=imap,
            folder=str(mail.get("imap", {}).get("folder", "INBOX")),
            sent_folder=str(mail.get("imap", {}).get("sent_folder", "Sent")),
            password_command=mail.get("password_command") or None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"Réglages [mail] incomplets dans {path} (champ {exc}).",
                         hint="Relancez cada mail setup.") from exc


def _server(data: dict, name: str) -> Server:
    return Server(
        host=check_host(str(data["host"]), field=f"[mail.{name}] host"),
        port=check_port(int(data["port"]), field=f"[mail.{name}] port"),
        security=check_security(str(data.get("security", "starttls")),
                                 field=f"[mail.{name}] security"),
        user=str(data["user"]) if data.get("user") else None,
    )


def save(path: Path, config: MailConfig) -> None:
    """Write the ``[mail]`` section, keeping the file's other sections (0600, atomic)."""
    settings = read_settings(path)
    settings["mail"] = config.to_dict()
    atomic_write_text(path, dump_toml(settings))


def dump_toml(data: dict) -> str:
    """TOML for nested tables of strings, integers and booleans (all cada writes)."""
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(table: dict, prefix: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if prefix and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(k) for k in prefix) + "]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _dump_table(value, [*prefix, key], lines)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return _string(str(value))


def _string(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def password(config: MailConfig, *, user: str | None, env: dict | None = None) -> Secret | None:
    """The password for ``user``: environment, else password command, else keyring."""
    env = os.environ if env is None else env
    if env.get(PASSWORD_ENV):
        return Secret(env[PASSWORD_ENV])
    if config.password_command:
        return Secret(_run_password_command(config.password_command))
    if user:
        found = _from_keyring(user)
        if found:
            return Secret(found)
    return None


def password_source(config: MailConfig, env: dict | None = None) -> str:
    """Where the password would come from, in French (never the password itself)."""
    env = os.environ if env is None else env
    if env.get(PASSWORD_ENV):
        return f"variable d'environnement {PASSWORD_ENV}"
    if config.password_command:
        return "commande password_command"
    return "trousseau du système (keyring), s'il existe"


def _run_password_command(command: str) -> str:
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CadaError("La commande du mot de passe (password_command) n'a pas pu être "
                        f"lancée ({type(exc).__name__}).") from None
    if done.returncode != 0:
        raise CadaError("La commande du mot de passe (password_command) a échoué "
                        f"(code {done.returncode}).")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise CadaError("La commande du mot de passe (password_command) n'a rien écrit.")
    return lines[0]


def _from_keyring(user: str) -> str | None:
    try:
        import keyring  # optional: pip install 'cada-tracker[keyring]'
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except (KeyringError, RuntimeError, OSError):
        return None
