"""The CADA's opinions for cada: importing the published CSV into the index, finding
an administration's opinions, and the favourable ones a referral letter cites.

The index (:mod:`cada_tracker.avis.store`) is a separate file beside the main database:
reference data that can be deleted and rebuilt, never part of the legal record. An
administration's opinions are those whose ``Administration`` has, in the directory's
matching form, its name, its designation without the article ("commune de
villeurbanne"), or for a commune "mairie de …", "ville de …" with its city.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cada_tracker.avis import INDEX_NAME
from cada_tracker.directory.text import normalise_name
from cada_tracker.errors import InputError, StorageError
from cada_tracker.faults import reason

#: Opinions a referral letter cites at most.
CITED_MAX = 5
_STOP = {"avec", "dans", "des", "les", "leur", "leurs", "pour", "par", "sur", "sans", "une",
         "aux", "ces", "cette", "son", "ses", "est", "sont", "qui", "que", "relatif",
         "relatifs", "relative", "relatives", "concernant", "demande", "documents",
         "document", "communication", "copie", "liste"}


def index_path(loc) -> Path:
    """``avis-cada.db`` beside the SQLite database, else in the data folder."""
    sqlite = loc.sqlite_path
    return (sqlite.parent if sqlite is not None else loc.data_dir) / INDEX_NAME


def index_of_session(session) -> Path:
    """The index beside the database this session writes to."""
    from cada_tracker.paths import resolve

    return index_path(resolve(session.get_bind().url.render_as_string(hide_password=False)))


def _open(path: Path, *, create: bool = False):
    from cada_tracker.avis.store import AvisIndexError, connect

    try:
        return connect(path, create=create)
    except AvisIndexError as exc:
        raise StorageError(exc.message) from None


def open_index(path: Path):
    """The index for reading; a French error when it was never built."""
    if not path.is_file():
        raise InputError(
            f"Aucun index des avis de la CADA ({path}).",
            hint="Téléchargez « Avis et conseils de la CADA » sur "
                 "https://www.data.gouv.fr/fr/datasets/53698f37a3a729239d2036a0/ puis : "
                 "cada avis import FICHIER.csv")
    return _open(path)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)


def import_csv(source: Path, index: Path, *, progress: Callable[[int], None] | None = None
               ) -> ImportReport:
    """Stream ``source`` into the index in one transaction (idempotent on the number)."""
    from cada_tracker.avis.csvfile import CsvFileError, RowProblem, read_rows
    from cada_tracker.avis.store import upsert

    try:
        fh = open(source, "rb")
    except FileNotFoundError:
        raise InputError(f"« {source} » : fichier introuvable.") from None
    except OSError as exc:
        raise InputError(f"« {source} » : lecture impossible ({reason(exc)}).") from None
    report = ImportReport()
    created = not index.exists()
    conn = _open(index, create=True)
    try:
        with fh:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for row in read_rows(fh, progress):
                    if isinstance(row, RowProblem):
                        report.errors.append({"line": row.line, "message": row.message})
                        continue
                    action = upsert(conn, row)
                    setattr(report, action, getattr(report, action) + 1)
            except CsvFileError as exc:
                conn.execute("ROLLBACK")
                raise InputError(f"« {source} » : {exc.message}") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        if created:  # nothing was imported: leave no empty index behind
            index.unlink(missing_ok=True)
        raise
    conn.close()
    return report


def admin_keys(admin) -> set[str]:
    """The matching forms under which the CADA may have named ``admin``."""
    from cada_tracker.services.admins import designation_of

    keys = {normalise_name(admin.name)}
    designation = normalise_name(designation_of(admin))
    keys.add(re.sub(r"^(la |le |les |l')", "", designation))
    if admin.kind == "commune" and admin.city:
        city = normalise_name(re.sub(r"(?i)\s+cedex.*$", "", admin.city))
        for word in ("mairie", "commune", "ville"):
            keys.add(f"{word} d'{city}" if city[:1] in "aeiouyh" else f"{word} de {city}")
    return {k for k in keys if k}


def subject_query(text: str) -> str | None:
    """Any of the subject's significant words (FTS5 ``OR``): bm25 ranks the rest."""
    words = [w for w in re.findall(r"\w+", text.casefold()) if len(w) >= 4 and w not in _STOP]
    words = list(dict.fromkeys(words))[:12]
    return " OR ".join(f'"{w}"' for w in words) or None


def cited_opinions(session, *, admin, subject: str, limit: int = CITED_MAX) -> list[dict]:
    """Up to ``limit`` favourable opinions on the same subject, the administration's own
    first; [] when the index was never built."""
    path = index_of_session(session)
    if not path.is_file():
        return []
    query = subject_query(subject)
    if query is None:
        return []
    conn = _open(path)
    try:
        keys = sorted(admin_keys(admin))
        own = _favourable(conn, query, keys, limit, own=True)
        others = _favourable(conn, query, keys, limit - len(own), own=False) \
            if len(own) < limit else []
    finally:
        conn.close()
    return own + others


def _favourable(conn, query: str, keys: list[str], limit: int, *, own: bool) -> list[dict]:
    if limit <= 0:
        return []
    marks = ", ".join("?" * len(keys))
    rows = conn.execute(
        "SELECT a.number, a.session, a.administration, a.subject, a.meaning "
        "FROM avis_fts JOIN avis a ON a.id = avis_fts.rowid "
        f"WHERE avis_fts MATCH ? AND a.favorable = 1 AND a.admin_key {'' if own else 'NOT '}"
        f"IN ({marks}) ORDER BY bm25(avis_fts, 1.0, 8.0, 2.0, 4.0, 1.0, 1.0), "
        "a.session DESC LIMIT ?", (query, *keys, limit)).fetchall()
    from datetime import date

    return [{"number": r[0], "date": date.fromisoformat(r[1]) if r[1] else None,
             "administration": r[2], "subject": r[3], "meaning": r[4],
             "same_administration": own} for r in rows]


def admin_opinion_counts(session, admin) -> tuple[int, int, int] | None:
    """(opinions, favourable, noted without an answer) for ``admin``; None without index."""
    from cada_tracker.avis.store import counts

    path = index_of_session(session)
    if not path.is_file():
        return None
    conn = _open(path)
    try:
        return counts(conn, admin_keys(admin))
    finally:
        conn.close()
