"""Engine, the one ``open_db()`` that migrates, and the transaction scope.

SQLAlchemy is imported only by the functions that use it: ``SCHEMA_HEAD`` and the
SQLite checks are read by the commands that read SQLite without it (readdb.py).

``open_db`` compares the database's Alembic revision with ``SCHEMA_HEAD`` and only
imports Alembic when an upgrade is needed (it costs about 300 ms to import). A
database written by a newer cada (an unknown revision) is refused. Before an
existing SQLite file is upgraded, a copy named after its old revision is taken
with SQLite's backup API (never overwritten); one process at a time upgrades.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cada_tracker.errors import StorageError
from cada_tracker.faults import busy_timeout
from cada_tracker.paths import (
    PRIVATE_FILE,
    Locations,
    asset_dir,
    display_url,
    ensure_private_dir,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# The newest migration in db/versions (a test checks it against Alembic's head).
SCHEMA_HEAD = "0020"

_engines: dict[str, Engine] = {}


def include_name(name, type_, _parent_names) -> bool:
    """Alembic autogenerate's filter: the SQLite FTS5 index (``search_fts`` and its
    shadow tables, migration 0008) is not an ORM table."""
    return not (type_ == "table" and name and name.startswith("search_fts"))

_upgraded_from: dict[str, str | None] = {}
_moved_files: dict[str, tuple[int, int]] = {}


def take_upgrade(engine: Engine) -> tuple[bool, str | None]:
    """Whether ``open_db`` just upgraded this database, and from which revision (once)."""
    key = engine.url.render_as_string(hide_password=False)
    if key in _upgraded_from:
        return True, _upgraded_from.pop(key)
    return False, None


def take_moved_files(engine: Engine) -> tuple[int, int] | None:
    """(moved, missing here) if an upgrade just moved stored files into the database."""
    return _moved_files.pop(engine.url.render_as_string(hide_password=False), None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" hook open transactions
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    # Writers take the write lock up front so that concurrent commands queue on
    # the busy timeout instead of failing when upgrading a read lock.
    if conn.get_execution_options().get("cada_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """One engine per URL and busy timeout (``CADA_BUSY_TIMEOUT``, seconds)."""
    timeout = busy_timeout()
    key = f"{timeout}|{url}"
    if key in _engines:
        return _engines[key]
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": timeout})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif url.startswith("postgresql"):
        # A row or advisory lock held by another member is waited for as long as
        # SQLite's busy timeout, then reported as "busy" (faults.busy_message).
        engine = create_engine(url, pool_pre_ping=False, connect_args={
            "connect_timeout": 10, "options": f"-c lock_timeout={int(timeout * 1000)}"})
    else:
        engine = create_engine(url, pool_pre_ping=False)
    _engines[key] = engine
    return engine


SQLITE_HEADER = b"SQLite format 3\x00"


def _prepare_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database; create a new one atomically.

    A new database is created beside its final name, in WAL mode (so that it has
    SQLite's header from the start), then linked into place: no process ever sees
    a zero-byte file, and a zero-byte or foreign file is refused, never "migrated".
    """
    ensure_private_dir(path.parent)
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        _create_sqlite_file(path)
        return
    except IsADirectoryError:
        head = None
    if head is None or not head.startswith(SQLITE_HEADER):
        what = "un dossier" if head is None else ("un fichier vide" if not head
                                                  else "pas une base SQLite")
        raise not_a_cada_database(path, what)
    if head[18:20] != b"\x02\x02":
        # Not in WAL mode: never opened by cada. Look before turning it to WAL, which
        # rewrites the header of someone else's file.
        if _foreign_tables(path):
            raise not_a_cada_database(path, "une base SQLite d'un autre logiciel")
        _turn_to_wal(path)


def _turn_to_wal(path: Path) -> None:
    """Put a database written before cada used WAL mode into it, one process at a time.

    Left to each connection's ``PRAGMA journal_mode=WAL``, several processes opening
    such a file at once deadlocked: one that could not switch the mode stayed in
    rollback-journal mode and upgraded the schema holding its write lock, while the
    others held a read lock waiting to switch it, until their busy timeout ended
    ("occupée depuis 30 s"). Under the migration lock, the first switches it and the
    others find it switched.
    """
    from cada_tracker.faults import busy_message, storage_error

    with _file_lock(path):
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout())
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            known = storage_error(exc, f"sqlite:///{path}")
            raise (known or StorageError(f"Base « {path} » illisible ({exc}).")) from exc
    if mode != "wal":  # SQLite keeps the old mode when it cannot take the lock
        raise busy_message(f"« {path} »", busy_timeout())


def _foreign_tables(path: Path) -> bool:
    """Whether the file has tables but no Alembic version (read only). Waits for a
    write lock as long as any command does: another cada may be turning this file
    to WAL mode (an exclusive lock, held through its fsyncs)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           timeout=busy_timeout())
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    return bool(names) and "alembic_version" not in names


def not_a_cada_database(path: Path, what: str) -> StorageError:
    return StorageError(
        f"Ce fichier n'est pas une base cada : {path} ({what}). cada n'y a pas touché.",
        hint="Indiquez une autre base avec --db ou CADA_DATABASE_URL, ou déplacez ce fichier.",
    )


def _create_sqlite_file(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)  # whatever the umask; SQLite gives -wal/-shm this mode
        os.close(fd)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another command created it first: use theirs
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_db(locations: Locations, *, complete=None) -> Engine:
    """The engine of the user's database, migrated to the current schema.

    One process at a time upgrades (:func:`migration_lock`); the others wait,
    then find the database at the current revision. ``complete(connection,
    revision)`` computes what the migrations cannot in SQL (the legal clock, the
    search index) in the upgrade's own transaction, under its lock: a process
    killed before the end leaves the old schema, never a new schema with an
    uncomputed clock that the next run would take as complete.
    """
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    url = locations.database_url
    sqlite_file = locations.sqlite_path
    try:
        if sqlite_file is not None:
            _prepare_sqlite_file(sqlite_file)
        engine = make_engine(url)
        if current_revision(engine) == SCHEMA_HEAD:
            return engine
        with migration_lock(engine, sqlite_file):
            revision = current_revision(engine)  # as left by whoever held the lock before
            if revision != SCHEMA_HEAD:
                _upgrade(engine, revision, sqlite_file=sqlite_file, data_dir=locations.data_dir,
                         complete=complete)
        return engine
    except StorageError:
        raise
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"Pilote de base de données absent ({exc.name}) pour « {display_url(url)} ».",
            hint="Pour PostgreSQL : pip install 'cada-tracker[postgres]'.",
        ) from exc
    except ArgumentError as exc:
        raise StorageError(
            f"« {display_url(url)} » n'est pas une adresse de base de données valide.",
            hint="Exemples : sqlite:////chemin/cada.db, "
                 "postgresql+psycopg://utilisateur@serveur/base.",
        ) from exc
    except (SQLAlchemyError, OSError) as exc:
        from cada_tracker.faults import storage_error

        known = storage_error(exc, url)
        if known is not None:
            raise known from exc
        raise StorageError(
            f"Impossible d'ouvrir la base « {display_url(url)} » ({exc.__class__.__name__})."
        ) from exc


@contextmanager
def migration_lock(engine: Engine, sqlite_file: Path | None) -> Iterator[None]:
    """Exclusive while upgrading: ``fcntl`` on a lock file beside an SQLite database
    (released by the kernel if the process dies), a session advisory lock on
    PostgreSQL. Waits for as long as the other process's upgrade takes."""
    if sqlite_file is not None:
        with _file_lock(sqlite_file):
            yield
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("SET lock_timeout = 0")
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
        conn.commit()
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
            conn.exec_driver_sql("RESET lock_timeout")
            conn.commit()


MIGRATION_LOCK_KEY = 20260011


@contextmanager
def _file_lock(sqlite_file: Path) -> Iterator[None]:
    """``fcntl`` on the lock file beside an SQLite database, released by the kernel
    if the process dies."""
    import fcntl

    fd = os.open(sqlite_file.with_name(f"{sqlite_file.name}.lock"),
                 os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(asset_dir("db")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in script.walk_revisions()]


def _upgrade(engine: Engine, revision: str | None, *, sqlite_file: Path | None,
             data_dir: Path, complete=None) -> None:
    from alembic import command
    from sqlalchemy import inspect

    if revision is None:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if "request" in tables:
            raise StorageError(
                "La base contient des tables de cada mais aucune version de schéma : "
                "elle n'a pas été créée par cada ou a été modifiée à la main."
            )
        if tables and sqlite_file is not None:
            raise not_a_cada_database(sqlite_file, "une base SQLite d'un autre logiciel")
    elif revision not in known_revisions():
        raise StorageError(
            f"Cette base a été écrite par une version plus récente de cada "
            f"(schéma « {revision} », cette version connaît jusqu'à « {SCHEMA_HEAD} »).",
            hint="Mettez cada à jour avant d'utiliser cette base.",
        )
    if sqlite_file is not None and revision is not None:
        backup = sqlite_file.with_name(f"{sqlite_file.name}.schema-{revision}.bak")
        backup_sqlite(sqlite_file, backup, keep_existing=True)
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        cfg.attributes["data_dir"] = data_dir  # 0004 moves this member's files (PostgreSQL)
        command.upgrade(cfg, "head")
        if complete is not None:
            complete(conn, revision)
    key = engine.url.render_as_string(hide_password=False)
    _upgraded_from[key] = revision
    if "moved_files" in cfg.attributes:
        _moved_files[key] = cfg.attributes["moved_files"]


def backup_sqlite(source: Path, target: Path, *, keep_existing: bool = False) -> Path:
    """A consistent copy of a live SQLite database (online backup API), private.

    Written beside ``target`` and linked into place once complete: a failure
    (disk full) leaves no partial file, and an existing file is never replaced.
    With ``keep_existing``, a target that exists gets a numbered name instead
    (``….2.bak``); otherwise it is refused. Returns the path written.
    """
    ensure_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        os.close(fd)
        src = sqlite3.connect(source, timeout=busy_timeout())
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        return _link_new(tmp, target, numbered=keep_existing)
    finally:
        tmp.unlink(missing_ok=True)


def _link_new(tmp: Path, target: Path, *, numbered: bool) -> Path:
    candidate, n = target, 1
    while True:
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            if not numbered:
                raise StorageError(f"{target} existe déjà : choisissez un autre nom.") from None
            n += 1
            stem, dot, ext = target.name.rpartition(".")
            candidate = target.with_name(f"{stem}.{n}.{ext}" if dot else f"{target.name}.{n}")


@contextmanager
def read_scope(engine: Engine) -> Iterator[Connection]:
    """A read-only connection for reports that only run SQL (no ORM imported)."""
    with engine.connect() as connection:
        yield connection


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction per command: committed at the end, rolled back on any error."""
    from sqlmodel import Session  # the ORM: only commands that need it pay its import

    bind = engine.execution_options(cada_write=True) if write else engine
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
