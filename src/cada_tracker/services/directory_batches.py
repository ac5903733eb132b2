"""``cada admin import`` of a file of any size: two passes over its rows, writes in
batches.

1. The *check pass* reads every row without touching the database: errors, warnings,
   duplicates, addresses too long for the envelope window, rows without a postal
   address. A file that cannot be read (broken quote at its last line, NUL byte…)
   fails here, before anything is written; with ``--strict`` a bad row stops here.
2. The *write pass* reads the rows again and, :data:`BATCH` records at a time, plans
   and writes them (``plan_batch``/``apply_import``) in a transaction of their own,
   committed before the next batch is read. Memory holds one batch, whatever the size
   of the file. A file of one batch (the PRADA's directory, a Ma Dada export of a
   few thousand bodies) is not read again: the check pass keeps its batch.

"One transaction per command" becomes "one transaction per batch": a batch is all or
nothing, and an import is idempotent (a re-import updates rows found by their key and
creates nothing twice), so an import interrupted after some batches (Ctrl-C, a lost
server, a full disk) says how many administrations are written and that running the
same command again completes it. ``--dry-run`` plans each batch in a read-only
transaction and writes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlmodel import Session

from cada_tracker.directory.records import AdminRecord, RowError
from cada_tracker.errors import CadaError
from cada_tracker.services import directory_import as di

OpenSession = Callable[..., AbstractContextManager[Session]]


@dataclass
class Checked:
    """What the check pass found (the stream's ``result`` holds errors and warnings)."""

    records: int = 0
    address_warnings: list[RowError] = field(default_factory=list)
    without_address: int = 0
    only_batch: list[AdminRecord] | None = None  # the whole file, when one batch holds it


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    changes: list[di.Change] = field(default_factory=list)  # dry run: every change

    def changed(self) -> list[di.Change]:
        return self.changes

    @property
    def done(self) -> int:
        return self.created + self.updated + self.merged + self.unchanged


class ImportInterrupted(CadaError):
    """An import stopped after some batches were committed: they stay, and re-running
    the same command completes it."""

    def __init__(self, message: str, *, exit_code: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


def batches(records: Iterable[AdminRecord], size: int | None = None
            ) -> Iterator[list[AdminRecord]]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size or di.BATCH)):
        yield batch


def check(stream) -> Checked:
    """The check pass (module docstring); raises DirectoryError for an unreadable file."""
    from cada_tracker.directory.window import window_warnings

    checked = Checked()
    count = 0
    for count, batch in enumerate(batches(stream.records()), 1):
        checked.records += len(batch)
        checked.address_warnings += window_warnings(batch)
        checked.without_address += sum(1 for r in batch if not r.postcode)
        if count == 1:
            checked.only_batch = batch
    if count != 1:
        checked.only_batch = None  # read again, a batch at a time, by the write pass
    return checked


def write(open_session: OpenSession, stream, *, total: int, extra_tags: Iterable[str],
          dry_run: bool, url: str | None = None,
          only_batch: list[AdminRecord] | None = None) -> Written:
    """The write pass (module docstring); ``only_batch``: the check pass's, if any."""
    written = Written()
    claimed: dict[int, set[str]] = {}
    try:
        for batch in ([only_batch] if only_batch is not None
                      else batches(stream.records())):
            plan = di.ImportPlan(changes=[], values={})
            with open_session(write=not dry_run) as s:
                if not dry_run:
                    di.lock_directory(s)
                di.plan_batch(s, batch, plan, extra_tags=extra_tags, claimed=claimed)
                if not dry_run:
                    di.apply_import(s, plan)
            written.created += plan.created
            written.updated += plan.updated
            written.merged += plan.merged
            written.unchanged += plan.unchanged
            if dry_run:
                written.changes += plan.changed()
    except BaseException as exc:
        if dry_run or not written.done:
            raise
        raise _interrupted(exc, written.done, total, url) from exc
    return written


def _interrupted(exc: BaseException, done: int, total: int, url: str | None) -> CadaError:
    from cada_tracker.faults import storage_error

    if isinstance(exc, KeyboardInterrupt):
        why, code = "par Ctrl-C", 130
    elif isinstance(exc, CadaError):
        why, code = exc.message.rstrip("."), exc.exit_code
    elif (fault := storage_error(exc, url)) is not None:
        why, code = fault.message.rstrip("."), fault.exit_code
    else:
        raise exc
    why = why[:1].lower() + why[1:]
    return ImportInterrupted(
        f"Import interrompu ({why}) : {done} administration(s) sur {total} "
        "enregistrée(s), par lots validés ; les suivantes non.",
        exit_code=code,
        hint="Relancez la même commande pour terminer l'import : ce qui est déjà enregistré "
             "est retrouvé, rien n'est dupliqué.",
    )
