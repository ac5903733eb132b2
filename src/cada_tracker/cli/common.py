"""What every command shares: where the data is, the database, today, prompts, dates."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import date

from cada_tracker.dates import parse_date
from cada_tracker.errors import InputError

_state: dict[str, str | None] = {"db": None}

MAX_ID = 2_147_483_647  # identifiers are 32-bit on every back end


def set_database_url(url: str | None) -> None:
    _state["db"] = url


def locations():
    from cada_tracker import paths

    return paths.resolve(_state["db"])


def open_engine():
    """The user's database, migrated, with what an upgrade must recompute done."""
    from cada_tracker.storage import open_db, take_upgrade

    loc = locations()
    notes: list[str] = []
    engine = open_db(loc, complete=lambda conn, revision: notes.extend(
        _complete_upgrade(conn, revision, loc.data_dir)))
    upgraded, _revision = take_upgrade(engine)
    if upgraded:
        from cada_tracker.cli.output import info

        for note in notes:
            info(note)
        _report_moved_files(engine)
    _recover_files(engine, loc)
    return engine


def _report_moved_files(engine) -> None:
    from cada_tracker.storage import take_moved_files

    moved = take_moved_files(engine)
    if moved is None:
        return
    from cada_tracker.cli.output import info, warn

    done, missing = moved
    info(f"Base mise à jour : {done} fichier(s) enregistré(s) déplacé(s) dans la base "
         "partagée.")
    if missing:
        warn(f"{missing} fichier(s) enregistré(s) absent(s) de ce poste : le membre qui les "
             "a enregistrés les déplacera en lançant cada db check.")


def _recover_files(engine, loc) -> None:
    """Remove the files a killed command wrote but never recorded (see filestore)."""
    from cada_tracker.filestore import JOURNAL_DIR, recover

    if not (loc.data_dir / JOURNAL_DIR).is_dir():
        return
    from cada_tracker.services.maintenance import is_recorded

    removed = recover(loc.data_dir, lambda path: is_recorded(engine, loc, path))
    if removed:
        from cada_tracker.cli.output import info

        info(f"Nettoyage : {removed} fichier(s) laissé(s) par une commande interrompue "
             "supprimé(s).")


_committed: list[bool] = []  # one entry per write transaction committed by this run


def interrupted_message() -> str:
    """What a Ctrl-C leaves: nothing, unless the command commits as it goes
    (``cada mail send`` records each message sent as soon as it is sent)."""
    if _committed:
        return "Interrompu : ce qui a été annoncé comme fait est enregistré, le reste non."
    return "Interrompu, rien n'a été enregistré."


def reset_run() -> None:
    _committed.clear()


@contextmanager
def session(*, write: bool = False):
    """One transaction for the whole command; a write also updates the search index."""
    from cada_tracker.storage import session_scope

    with session_scope(open_engine(), write=write) as s:
        tracker = _track_search(s) if write else None
        yield s
    if write:
        _committed.append(True)
    if tracker is not None and tracker.problems:
        _warn_unread(tracker.problems)


def _track_search(s):
    from cada_tracker.services.search.index import track

    return track(s, locations().data_dir)


def _warn_unread(problems) -> None:
    from cada_tracker.cli.output import warn
    from cada_tracker.services.search.worker import STATUS_LABELS

    for name, status in problems:
        kept = "" if status == "empty" else " ; le fichier est conservé, son nom est indexé"
        warn(f"{name} : {STATUS_LABELS[status]}{kept}.")


@contextmanager
def reading():
    """A read-only connection: for reports that run SQL without the ORM."""
    from cada_tracker.storage import read_scope

    with read_scope(open_engine()) as connection:
        yield connection


@contextmanager
def reader():
    """A read-only ``readdb.Reader``: an SQLite file at the current schema is read
    without importing SQLAlchemy; anything else goes through ``open_engine``."""
    from cada_tracker.readdb import as_reader, sqlite_reader

    db = sqlite_reader(locations())
    if db is None:
        with reading() as connection:
            yield as_reader(connection)
        return
    try:
        yield db
    finally:
        db.close()


def _complete_upgrade(connection, revision: str | None, data_dir) -> list[str]:
    """What a schema upgrade adds but cannot compute in SQL (the legal clock, the
    search index), on the upgrade's connection, inside its transaction (see
    ``storage.open_db``). Returns the messages to print once it is committed."""
    if revision is None:
        return []  # a new database: nothing to recompute
    from sqlmodel import Session

    from cada_tracker.services.clock import refresh_after_upgrade
    from cada_tracker.services.search.index import fill_if_empty

    notes = []
    with Session(bind=connection) as s:
        count = refresh_after_upgrade(s, revision)
        s.flush()
    if count:
        notes.append(f"Base mise à jour : délais recalculés pour {count} demande(s).")
    report = fill_if_empty(connection, data_dir)
    if report:
        notes.append(f"Base mise à jour : index de recherche construit "
                     f"({report['requests']} demande(s), {report['files']} fichier(s)).")
    return notes


def raw_csv_option():
    """``--raw-csv``: cells exactly as stored, for scripts (no protection for spreadsheets)."""
    import typer

    return typer.Option(
        False, "--raw-csv",
        help="Avec --csv : cellules telles quelles, sans l'apostrophe qui empêche un tableur "
             "d'exécuter une cellule commençant par =, +, -, @ (pour les scripts).",
    )


def today() -> date:
    """Today's date; ``CADA_TODAY`` pins it (reproducible examples and scripts)."""
    pinned = os.environ.get("CADA_TODAY")
    return parse_date(pinned, field="CADA_TODAY") if pinned else date.today()


def interactive() -> bool:
    return sys.stdin.isatty()


def date_parser(flag: str):
    def parse(value: str) -> date:
        return parse_date(value, field=flag)

    return parse


def ask(value, *, flag: str, label: str, default: str | None = None, choices=None,
        check=None):
    """The flag's value, else a question on a terminal (each answer checked by ``check``
    and asked again when wrong, cli.prompts), else an error naming the flag."""
    if value is not None and str(value).strip():
        return check(value) if check is not None else value
    if not interactive():
        if default is not None:
            return default
        raise InputError(f"Option {flag} manquante ({label}).")
    from cada_tracker.cli import prompts

    if choices:
        return prompts.ask_choice(label, [(c, "") for c in choices], default=default)
    return prompts.ask_value(label, default=default, check=check)


def ask_list(values: list[str] | None, *, flag: str, label: str, item: str = "ligne") -> list[str]:
    """The flag's values, else one answer per line on a terminal (empty line ends)."""
    if values:
        return values
    if not interactive():
        raise InputError(f"Option {flag} manquante ({label}).")
    from cada_tracker.cli import prompts

    return prompts.ask_lines(label, item=item)


PAGE_ONLY = ("--page choisit une page du tableau : --all, --csv et --json donnent déjà "
             "toutes les lignes.")


def page_option(size: int):
    """``--page N``: which page of a table a list shows (``size`` rows a page)."""
    import typer

    return typer.Option(1, "--page", metavar="N", min=1, max=MAX_ID,
                        help=f"Afficher la page N ({size} lignes par page).")


def page_caption(total: int, shown: int, *, number: int, size: int, noun: str) -> str:
    """The caption of page ``number`` of a table of ``total`` ``noun`` (ex.
    "demande(s)"), ``shown`` on it; a page past the last one is refused in French."""
    pages = -(-total // size)
    if not shown:
        from cada_tracker.errors import InputError

        raise InputError(f"--page : la page {number} n'existe pas ({total} {noun}, "
                         f"{pages} page(s) de {size}).")
    caption = f"{total} {noun}"
    if shown < total:
        where = "" if number == 1 else f"page {number} sur {pages}, "
        caption += f", {where}{shown} affichées (--all pour tout, --csv pour exporter)"
    return caption
