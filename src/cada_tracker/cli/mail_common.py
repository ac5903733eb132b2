"""What the mail commands share: the mail settings, the password, e-mail text on screen."""

from __future__ import annotations

import typer

from cada_tracker.cli.common import locations

JSON = typer.Option(False, "--json", help="Sortie JSON.")


def mail_line(text) -> str:
    """Text that came from an e-mail on one line, without control or bidi characters.

    Not markup-escaped: ``output.table`` shows every cell as plain text, so an
    escape here printed its backslashes (``\\[fusion 2016]``)."""
    from cada_tracker.mail.parse import clean

    return clean("" if text is None else str(text))


def local_time(value) -> str:
    """A message's date as the user reads it: French time, day first."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M") if value \
        else ""


def mail_config():
    from cada_tracker.mail.config import load

    return load(locations().config_file)


def mail_secret(config):
    from cada_tracker.mail.config import password

    return password(config, user=config.smtp.user or (config.imap.user if config.imap else None))
