"""Engine, the one ``open_db()`` that migrates, and the transaction scope.

``open_db`` compares the database's Alembic revision with ``SCHEMA_HEAD`` and only
imports Alembic when an upgrade is needed (it costs about 300 ms to import). A
database written by a newer cada (an unknown revision) is refused. Before an
existing SQLite file is upgraded, a copy is taken with SQLite's backup API.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cada_tracker.errors import StorageError
from cada_tracker.paths import (
    PRIVATE_FILE,
    Locations,
    asset_dir,
    display_url,
    ensure_private_dir,
)

if TYPE_CHECKING:
    from sqlmodel import Session

# The newest migration in db/versions (a test checks it against Alembic's head).
SCHEMA_HEAD = "0006"

_engines: dict[str, Engine] = {}
_upgraded_from: dict[str, str | None] = {}


def take_upgrade(engine: Engine) -> tuple[bool, str | None]:
    """Whether ``open_db`` just upgraded this database, and from which revision (once)."""
    key = engine.url.render_as_string(hide_password=False)
    if key in _upgraded_from:
        return True, _upgraded_from.pop(key)
    return False, None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" hook open transactions
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
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
    if url in _engines:
        return _engines[url]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=False)
    _engines[url] = engine
    return engine


def _prepare_sqlite_file(path: Path) -> bool:
    """Create the folder (0700) and an empty file (0600). Returns True if it existed."""
    ensure_private_dir(path.parent)
    if path.exists():
        return path.stat().st_size > 0
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
    os.close(fd)
    return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, SQLAlchemyError):
            conn.rollback()
            return None


def open_db(locations: Locations) -> Engine:
    """The engine of the user's database, migrated to the current schema."""
    url = locations.database_url
    sqlite_file = locations.sqlite_path
    existed = _prepare_sqlite_file(sqlite_file) if sqlite_file else True
    try:
        engine = make_engine(url)
        revision = current_revision(engine)
        if revision == SCHEMA_HEAD:
            return engine
        _upgrade(engine, revision, backup_of=sqlite_file if existed and revision else None)
        return engine
    except StorageError:
        raise
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"Pilote de base de données absent ({exc.name}) pour « {display_url(url)} ».",
            hint="Pour PostgreSQL : pip install 'cada-tracker[postgres]'.",
        ) from exc
    except SQLAlchemyError as exc:
        raise StorageError(
            f"Impossible d'ouvrir la base « {display_url(url)} » : {exc.__class__.__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}"
        ) from exc


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


def _upgrade(engine: Engine, revision: str | None, *, backup_of: Path | None) -> None:
    from alembic import command

    if revision is None:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if tables and "request" in tables:
            raise StorageError(
                "La base contient des tables de cada mais aucune version de schéma : "
                "elle n'a pas été créée par cada ou a été modifiée à la main."
            )
    elif revision not in known_revisions():
        raise StorageError(
            f"Cette base a été écrite par une version plus récente de cada "
            f"(schéma « {revision} », cette version connaît jusqu'à « {SCHEMA_HEAD} »).",
            hint="Mettez cada à jour avant d'utiliser cette base.",
        )
    if backup_of is not None:
        backup_sqlite(backup_of, backup_of.with_name(f"{backup_of.name}.avant-{SCHEMA_HEAD}.bak"))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    _upgraded_from[engine.url.render_as_string(hide_password=False)] = revision


def backup_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of a live SQLite database (online backup API), private."""
    ensure_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.tmp")
    src = sqlite3.connect(source)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
        os.close(fd)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)
    return target


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
