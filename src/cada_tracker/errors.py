"""One error type carrying its exit code and a French message.

The domain raises these; only the CLI's single handler prints them and exits.
Exit status 1 is reserved for "something needs action" (``cada overdue``), so
every error exits with 2 or more.
"""

from __future__ import annotations


class CadaError(Exception):
    """An error the user can act on. ``message`` is French and names what is wrong."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(CadaError):
    """A value given by the user is malformed (date, number, choice, file)."""

    exit_code = 2


class NotFoundError(CadaError):
    """A reference, id, profile or template does not exist."""

    exit_code = 3


class StateError(CadaError):
    """The action makes no sense for the current state of a request."""

    exit_code = 4


class StorageError(CadaError):
    """The database cannot be opened, migrated or written."""

    exit_code = 5
