"""Engine, the one ``open_db()`` that migrates, and the transaction scope.

SQLAlchemy is imported only by the functions that use it: ``SCHEMA_HEAD`` is read by
the commands that read SQLite without it (readdb.py). The SQLite file itself (its
creation, checks, lock and backups) is :mod:`cada_tracker.sqlite_file`.

``open_db`` compares the database's Alembic revision with ``SCHEMA_HEAD`` and only
imports Alembic when an upgrade is needed (it costs about 300 ms to import). A
database written by a newer cada (an unknown revision) is refused. Before an
existing SQLite file is upgraded, a copy named after its old revision is taken
with SQLite's backup API (never overwritten); one process at a time upgrades.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cada_tracker.errors import StorageError
from cada_tracker.faults import busy_timeout
from cada_tracker.paths import Locations, asset_dir, display_url
from cada_tracker.sqlite_file import (
    backup_sqlite,
    file_lock,
    not_a_cada_database,
    prepare_sqlite_file,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# The newest migration in db/versions (a test checks it against Alembic's head).
SCHEMA_HEAD = "0021"

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


def _invalid_url(url: str, why: str = "") -> StorageError:
    return StorageError(
        f"« {display_url(url)} » n'est pas une adresse de base de données valide{why}.",
        hint="Exemples : sqlite:////chemin/cada.db, "
             "postgresql+psycopg://utilisateur@serveur/base.",
    )


def _check_url(url: str) -> None:
    """A URL SQLAlchemy would refuse with an English ValueError (a port that is not a
    number, an unclosed ``[``), or whose query SQLite would ignore with an English
    warning or fail on (``?timeout=abc``), is refused in French before any engine."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise _invalid_url(url, " (serveur ou port illisible)") from None
    if parsed.get_backend_name() == "sqlite" and parsed.query:
        raise _invalid_url(url, f" : paramètre « {sorted(parsed.query)[0]} » non pris en "
                                "charge pour SQLite (le délai d'attente se règle avec "
                                "CADA_BUSY_TIMEOUT)")
    if parsed.get_backend_name() == "postgresql" and parsed.query:
        unknown = _unknown_libpq_options(sorted(parsed.query))
        if unknown:
            raise _invalid_url(url, f" : paramètre « {unknown} » inconnu de PostgreSQL "
                                    "(libpq)")
        bad = _bad_libpq_value(parsed.query)
        if bad:
            raise _invalid_url(url, bad)


#: libpq's options that take one of a few words, and those words (libpq 15 to 17):
#: libpq refuses any other at connection time, in English.
_LIBPQ_WORDS = {
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "gssencmode": ("disable", "prefer", "require"),
    "channel_binding": ("disable", "prefer", "require"),
    "target_session_attrs": ("any", "read-write", "read-only", "primary", "standby",
                             "prefer-standby"),
    "load_balance_hosts": ("disable", "random"),
    "sslnegotiation": ("postgres", "direct"),
}
#: libpq's options that take a whole number.
_LIBPQ_INTEGERS = ("connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                   "keepalives_count", "tcp_user_timeout", "sslcompression", "sslsni")


def _bad_libpq_value(query) -> str | None:
    """What is wrong with a value libpq would refuse (`?sslmode=nope`), said in French
    for ``_invalid_url``, or None."""
    for name in sorted(query):
        values = query[name]
        for value in (values,) if isinstance(values, str) else values:
            words = _LIBPQ_WORDS.get(name)
            if words is not None and value not in words:
                return (f" : paramètre « {name} », valeur « {value} » inconnue de "
                        f"PostgreSQL (valeurs possibles : {', '.join(words)})")
            if name in _LIBPQ_INTEGERS and not value.strip().lstrip("-").isdigit():
                return f" : paramètre « {name} », « {value} » n'est pas un nombre entier"
    return None


def _unknown_libpq_options(names: list[str]) -> str | None:
    """The first of ``names`` that libpq does not know as a connection option (it
    would refuse the connection in English), or None; None too without psycopg, whose
    absence open_db reports itself."""
    try:
        from psycopg import ProgrammingError, conninfo
    except ImportError:
        return None
    for name in names:
        try:
            conninfo.make_conninfo("", **{name: "x"})
        except ProgrammingError:
            return name
    return None


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
        _check_url(url)  # before the SQLite file is created
        if sqlite_file is not None:
            prepare_sqlite_file(sqlite_file)
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
        raise _invalid_url(url) from exc
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
        with file_lock(sqlite_file):
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
