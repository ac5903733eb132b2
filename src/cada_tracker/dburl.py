"""A database URL shown to humans never shows its password, whatever the URL's shape.

Passwords hide in two places: the userinfo (``scheme://user:pw@host``, where the
password may itself contain ``@`` or ``:``, and the user may be empty) and the
query string (``?password=pw``). URLs are also mistyped (``postgresql:/u:pw@h/db``),
and then a library's error quotes them. So masking does not parse the URL as a
library would: it finds what looks like a secret by the same rules for any shape,
and :func:`scrub` removes those secrets from any text (an error message).

>>> display_url("postgresql+psycopg://cada:p@ss@db.example:5432/cada?password=x&sslmode=require")
'postgresql+psycopg://cada:***@db.example:5432/cada?password=***&sslmode=require'
>>> without_password("postgresql+psycopg:/cada:pw@db/cada")
'postgresql+psycopg:/cada@db/cada'
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"
_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.\-]*:")
# Query parameters libpq, psycopg and the usual drivers read a secret from.
_SECRET_KEYS = ("password", "passwd", "pwd", "pass", "sslpassword", "secret", "token")


def _parts(url: str) -> tuple[str, str | None, str | None, str, list[list[str]] | None]:
    """(prefix up to the userinfo, user, password, rest of the head, query pairs)."""
    head, sep, query = url.partition("?")
    pairs = [item.split("=", 1) for item in query.split("&")] if sep else None
    match = _SCHEME.match(head)
    if match and match.group(0).lower().startswith("sqlite"):
        return head, None, None, "", pairs  # a file path: no userinfo, "@" is a path
    # "user:pw@host" has no scheme: "user:" only counts as one when a "/" follows.
    start = match.end() if match and head[match.end():match.end() + 1] == "/" else 0
    while start < len(head) and head[start] == "/":
        start += 1
    at = head.rfind("@", start)
    if at < 0:
        return head, None, None, "", pairs
    userinfo = head[start:at]
    user, colon, password = userinfo.partition(":")
    return head[:start], user, (password if colon else None), head[at:], pairs


def _is_secret_key(key: str) -> bool:
    key = unquote(key).strip().lower()
    return key in _SECRET_KEYS or "password" in key


def _join(prefix, user, password, rest, pairs, *, drop: bool) -> str:
    head = prefix
    if user is not None:
        head += user
        if password is not None and not drop:
            head += ":" + (MASK if password else "")
    head += rest
    if pairs is None:
        return head
    kept = []
    for pair in pairs:
        if len(pair) == 2 and _is_secret_key(pair[0]):
            if drop:
                continue
            pair = [pair[0], MASK]
        kept.append("=".join(pair))
    return f"{head}?{'&'.join(kept)}" if kept else head


def display_url(url: str) -> str:
    """The URL with every password replaced by ``***``, fit for any message."""
    return _join(*_parts(url), drop=False)


def without_password(url: str) -> str:
    """The URL with its passwords removed (for a command line: the password goes in
    ``PGPASSWORD``, where ``ps`` and the shell history do not show it)."""
    return _join(*_parts(url), drop=True)


def has_password(url: str) -> bool:
    return bool(secrets_in(url))


def secrets_in(url: str) -> list[str]:
    """Every password the URL carries, as typed and percent-decoded."""
    _prefix, _user, password, _rest, pairs = _parts(url)
    found = [password] if password else []
    found += [p[1] for p in pairs or [] if len(p) == 2 and _is_secret_key(p[0]) and p[1]]
    found += [unquote(s) for s in found]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(message: str, url: str | None) -> str:
    """``message`` with the URL masked and any of its passwords removed."""
    if not url:
        return message
    message = message.replace(url, display_url(url))
    for secret in secrets_in(url):
        message = mask(message, secret)
    return message


def mask(text: str, secret: str, replacement: str = MASK) -> str:
    """``text`` with every occurrence of ``secret`` that stands on its own replaced.

    A password reaches a message as a token of its own (between the ``:`` and the
    ``@`` of a URL, after ``password=``, in quotes), never glued to a letter or a
    digit: so only such occurrences are replaced, and a password that is also a
    word (``serveur``, ``cada``, ``e``) leaves the words of the message alone. An
    occurrence inside a longer word is not the password shown, but the word.
    """
    if not secret:
        return text
    return re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", lambda _m: replacement, text)
