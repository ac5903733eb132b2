"""Safety of the record: backups and integrity checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from cada_tracker.errors import InputError
from cada_tracker.filestore import sha256_of
from cada_tracker.paths import Locations, display_url
from cada_tracker.sqlite_file import backup_sqlite
from cada_tracker.storage import SCHEMA_HEAD, current_revision


def default_backup_path(loc: Locations, now: datetime) -> Path:
    return loc.data_dir / "sauvegardes" / f"cada-{now:%Y%m%d-%H%M%S}.db"


def backup(loc: Locations, target: Path | None, now: datetime) -> tuple[str, str]:
    """SQLite: an online copy. PostgreSQL: the pg_dump command line to run.

    Returns (kind, detail): ("file", path) or ("command", command line).
    """
    source = loc.sqlite_path
    if source is None:
        if not loc.database_url.startswith("postgresql"):
            raise InputError(
                f"Sauvegarde non prise en charge pour « {display_url(loc.database_url)} »."
            )
        return "command", pg_dump_command(loc.database_url, target, now)
    if not source.exists():
        raise InputError(f"Aucune base à sauvegarder : {source} n'existe pas encore.")
    target = target or default_backup_path(loc, now)
    if target.exists():
        raise InputError(f"{target} existe déjà : choisissez un autre nom.")
    return "file", str(backup_sqlite(source, target))


def pg_dump_command(url: str, target: Path | None, now: datetime) -> str:
    """The pg_dump command line: the URL without its password, which pg_dump reads
    from ``PGPASSWORD`` (or ~/.pgpass), never from the command line."""
    import shlex

    from cada_tracker.dburl import without_password

    libpq = url.replace("+psycopg2", "").replace("+psycopg", "", 1)
    out = target or Path(f"cada-{now:%Y%m%d-%H%M%S}.dump")
    return (f"pg_dump --format=custom --file={shlex.quote(str(out))} "
            f"{shlex.quote(without_password(libpq))}")


@dataclass
class CheckReport:
    revision: str | None = None
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    moved: int = 0  # PostgreSQL: local files moved into the shared base by this check

    @property
    def ok(self) -> bool:
        return not self.problems


def is_recorded(engine: Engine, loc: Locations, path: Path) -> bool:
    """Whether a stored-file record refers to ``path`` (a path outside the data
    folder counts as recorded: it is never cada's to remove)."""
    try:
        relative = str(path.relative_to(loc.data_dir))
    except ValueError:
        return True
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM stored_file WHERE path = :p"),
                            {"p": relative}).first() is not None


def check(engine: Engine, loc: Locations, *, quick: bool = False) -> CheckReport:
    """Schema, SQLite integrity, every stored file re-hashed (in chunks), and files
    in the data folder that no record refers to (left by a killed command).

    ``quick`` (``cada db check --quick``) keeps what costs little at any size: SQLite's
    ``quick_check`` (pages and records, not that indexes match the tables; no
    foreign-key scan; no full-text index check), and each stored file's presence and
    size instead of its SHA-256 (on PostgreSQL, the bytes of its chunks counted by the
    database, without reading them).
    """
    report = CheckReport(revision=current_revision(engine))
    if report.revision != SCHEMA_HEAD:
        report.problems.append(
            f"schéma « {report.revision} » au lieu de « {SCHEMA_HEAD} »"
        )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            _check_sqlite(conn, report, quick=quick)
        _check_mail(conn, report)
        if report.revision == SCHEMA_HEAD:
            from cada_tracker.services.search.index import check_index

            report.problems.extend(check_index(conn, quick=quick))
        if quick and engine.dialect.name == "postgresql":
            _check_sizes_in_base(conn, report)
            return report
        rows = conn.execute(
            text("SELECT f.path, f.sha256, f.size, r.reference FROM stored_file f "
                 "JOIN request r ON r.id = f.request_id ORDER BY f.id")
        ).all()
    if engine.dialect.name == "postgresql":
        _check_shared(engine, loc, rows, report)
        return report
    recorded = set()
    for path, sha, size, reference in rows:
        report.files_checked += 1
        recorded.add(path)
        full = loc.data_dir / path
        try:
            problem = _size_problem(full, size) if quick else (
                None if sha256_of(full) == sha else "SHA-256 différent")
        except OSError:
            report.problems.append(f"{reference} : fichier manquant {full}")
            continue
        if problem:
            report.problems.append(f"{reference} : fichier modifié {full} ({problem})")
    report.problems.extend(_strays(loc, recorded))
    return report


def _check_sqlite(conn, report: CheckReport, *, quick: bool) -> None:
    pragma = "quick_check" if quick else "integrity_check"
    try:
        result = conn.exec_driver_sql(f"PRAGMA {pragma}").scalars().all()
    except Exception as exc:  # noqa: BLE001 - a damaged file fails the check itself
        result = [f"la vérification a échoué ({exc.__class__.__name__})"]
    if result != ["ok"]:
        report.problems.append(_damage(result, pragma))
    if not quick:
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
            report.problems.append(f"clé étrangère cassée : table {row[0]}, ligne {row[1]}")


def _damage(result: list[str], pragma: str) -> str:
    """SQLite's findings (English, one per line) summed up in French."""
    import re

    lines = [line for r in result for line in str(r).splitlines()
             if line and not line.startswith("***")]
    pages = sorted({int(p) for p in re.findall(r"page (\d+)", "\n".join(lines))})
    where = f", page(s) {', '.join(map(str, pages[:10]))}" if pages else ""
    return (f"intégrité SQLite : base abîmée ({len(lines)} défaut(s) signalé(s) par "
            f"PRAGMA {pragma}{where}) : restaurez une sauvegarde faite par cada db backup")


def _size_problem(path: Path, size: int) -> str | None:
    actual = path.stat().st_size
    return None if actual == size else f"{actual} octets au lieu de {size}"


def _check_sizes_in_base(conn, report: CheckReport) -> None:
    """PostgreSQL, quick: each stored file's content is in the base with as many bytes
    as recorded (``length`` of a chunk is read from its header, not its bytes)."""
    rows = conn.execute(text(
        "SELECT r.reference, f.path, f.size, c.sha256, "
        "(SELECT coalesce(sum(length(k.data)), 0) FROM stored_chunk k "
        " WHERE k.sha256 = f.sha256) "
        "FROM stored_file f JOIN request r ON r.id = f.request_id "
        "LEFT JOIN stored_content c ON c.sha256 = f.sha256 ORDER BY f.id")).all()
    for reference, path, size, content, stored in rows:
        report.files_checked += 1
        if content is None:
            report.problems.append(f"{reference} : fichier {path} absent de la base")
        elif stored != size:
            report.problems.append(f"{reference} : fichier {path} modifié dans la base "
                                   f"({stored} octets au lieu de {size})")


def _check_mail(conn, report: CheckReport) -> None:
    """E-mails waiting in the inbox keep their raw bytes: re-hash them; a filed one must
    point at a stored file of the same SHA-256 (that file is re-hashed with the others)."""
    waiting = conn.execute(text(
        "SELECT message_id, sha256, raw FROM mail_message WHERE raw IS NOT NULL")).all()
    for message_id, sha, raw in waiting:
        report.files_checked += 1
        if hashlib.sha256(bytes(raw)).hexdigest() != sha:
            report.problems.append(f"courriel {message_id} modifié (SHA-256 différent)")
    filed = conn.execute(text(
        "SELECT m.message_id FROM mail_message m JOIN stored_file f ON f.id = m.raw_file_id "
        "WHERE f.sha256 != m.sha256")).all()
    report.problems.extend(f"courriel {row[0]} : le fichier conservé n'est pas ce message"
                           for row in filed)


def _check_shared(engine: Engine, loc: Locations, rows, report: CheckReport) -> None:
    """PostgreSQL: every file is re-hashed from the database, a chunk at a time. A file
    recorded before the files moved into the base, and still only in this member's
    data folder, is moved now."""
    from cada_tracker import dbfiles

    seen: dict[str, str | None] = {}
    for path, sha, size, reference in rows:
        report.files_checked += 1
        if sha not in seen:
            with engine.connect() as conn:
                seen[sha] = dbfiles.verify(conn, sha, size)
            if seen[sha] == "absent de la base" and (loc.data_dir / path).is_file():
                with engine.begin() as conn:
                    if dbfiles.upload_local(conn, sha, loc.data_dir / path):
                        seen[sha] = None
                        report.moved += 1
        if seen[sha] is not None:
            report.problems.append(f"{reference} : fichier {path} {seen[sha]}")


def _ocr_copy_of_recorded(relative: str, recorded: set[str]) -> bool:
    """``cada ocr`` keeps the text-layer copy of a scan beside it (``NAME.ocr.pdf``)."""
    return relative.endswith(".ocr.pdf") and relative[: -len(".ocr.pdf")] in recorded


def _strays(loc: Locations, recorded: set[str]) -> list[str]:
    found = []
    if loc.files_dir.is_dir():
        for path in sorted(loc.files_dir.rglob("*")):
            if not path.is_file():
                continue
            relative = str(path.relative_to(loc.data_dir))
            if path.name.endswith(".tmp"):
                found.append(f"fichier temporaire laissé par une commande interrompue : {path}")
            elif relative not in recorded and not _ocr_copy_of_recorded(relative, recorded):
                found.append(f"fichier qu'aucun événement ne mentionne : {path}")
    return found
