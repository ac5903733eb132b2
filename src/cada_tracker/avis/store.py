"""The opinions index: one SQLite file, its FTS5 table, written and searched with sqlite3.

Accent-insensitive everywhere: the full-text table's tokenizer removes diacritics, and
``admin_key`` is the administration's name in the directory's matching form
(:func:`cada_tracker.directory.normalise_name`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cada_tracker.avis.csvfile import Opinion
from cada_tracker.directory.text import normalise_name

FORMAT = "1"  # the index's layout; another value means "rebuild it"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS avis (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    administration TEXT NOT NULL,
    admin_key TEXT NOT NULL,
    type TEXT NOT NULL,
    year INTEGER,
    session TEXT,
    subject TEXT NOT NULL,
    topics TEXT NOT NULL,
    keywords TEXT NOT NULL,
    meaning TEXT NOT NULL,
    part TEXT NOT NULL,
    body TEXT NOT NULL,
    favorable INTEGER NOT NULL,
    no_answer INTEGER NOT NULL,
    digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS avis_admin ON avis (admin_key, favorable);
CREATE VIRTUAL TABLE IF NOT EXISTS avis_fts USING fts5 (
    administration, subject, topics, keywords, meaning, body,
    content='avis', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS avis_ai AFTER INSERT ON avis BEGIN
    INSERT INTO avis_fts (rowid, administration, subject, topics, keywords, meaning, body)
    VALUES (new.id, new.administration, new.subject, new.topics, new.keywords, new.meaning,
            new.body);
END;
CREATE TRIGGER IF NOT EXISTS avis_ad AFTER DELETE ON avis BEGIN
    INSERT INTO avis_fts (avis_fts, rowid, administration, subject, topics, keywords,
                          meaning, body)
    VALUES ('delete', old.id, old.administration, old.subject, old.topics, old.keywords,
            old.meaning, old.body);
END;
CREATE TRIGGER IF NOT EXISTS avis_au AFTER UPDATE ON avis BEGIN
    INSERT INTO avis_fts (avis_fts, rowid, administration, subject, topics, keywords,
                          meaning, body)
    VALUES ('delete', old.id, old.administration, old.subject, old.topics, old.keywords,
            old.meaning, old.body);
    INSERT INTO avis_fts (rowid, administration, subject, topics, keywords, meaning, body)
    VALUES (new.id, new.administration, new.subject, new.topics, new.keywords, new.meaning,
            new.body);
END;
"""


class AvisIndexError(Exception):
    """The index file cannot be used (French ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _create_private(path: Path) -> None:
    from cada_tracker.paths import ensure_private_dir

    ensure_private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """The index at ``path`` (created, private, when ``create``); None-safe callers use
    :func:`exists` first."""
    if create:
        _create_private(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode={'rw' if create else 'ro'}", uri=True,
                               isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        if create:
            conn.executescript(SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
        version = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise AvisIndexError(
            f"l'index des avis « {path} » est illisible ({exc}) : supprimez-le et "
            "reconstruisez-le avec cada avis import.") from None
    if version is None or version[0] != FORMAT:
        conn.close()
        raise AvisIndexError(f"l'index des avis « {path} » a un autre format : supprimez-le et "
                          "reconstruisez-le avec cada avis import.")
    return conn


def _digest(o: Opinion) -> str:
    parts = [o.number, o.administration, o.type, str(o.year), str(o.session), o.subject,
             o.topics, o.keywords, o.meaning, o.part, o.text]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def upsert(conn: sqlite3.Connection, o: Opinion) -> str:
    """Write one opinion: ``imported`` (new), ``updated`` (changed) or ``unchanged``."""
    digest = _digest(o)
    row = conn.execute("SELECT digest FROM avis WHERE number = ?", (o.number,)).fetchone()
    if row is not None and row[0] == digest:
        return "unchanged"
    values = (o.administration, normalise_name(o.administration), o.type, o.year,
              o.session.isoformat() if o.session else None, o.subject, o.topics, o.keywords,
              o.meaning, o.part, o.text, int(o.favorable), int(o.no_answer), digest)
    if row is None:
        conn.execute(
            "INSERT INTO avis (administration, admin_key, type, year, session, subject, "
            "topics, keywords, meaning, part, body, favorable, no_answer, digest, number) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, o.number))
        return "imported"
    conn.execute(
        "UPDATE avis SET administration = ?, admin_key = ?, type = ?, year = ?, session = ?, "
        "subject = ?, topics = ?, keywords = ?, meaning = ?, part = ?, body = ?, "
        "favorable = ?, no_answer = ?, digest = ? WHERE number = ?", (*values, o.number))
    return "updated"


@dataclass(frozen=True)
class Hit:
    number: str
    session: date | None
    administration: str
    meaning: str
    subject: str
    excerpt: str  # each match between MATCH_START and MATCH_STOP
    favorable: bool

    def marked(self, before: str = "«", after: str = "»") -> str:
        """The excerpt with its matches between ``before`` and ``after``."""
        return self.excerpt.replace(MATCH_START, before).replace(MATCH_STOP, after)


# The matches in an excerpt: control characters that no opinion's text holds (its own
# « » would be taken for matches), as cada search marks its own.
MATCH_START, MATCH_STOP = "\x02", "\x03"


def match_expression(text: str) -> str | None:
    """The FTS5 query for the words of ``text``: each one quoted (no operator a user
    did not mean), all required."""
    import re

    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"' for w in words[:32]) or None


def search(conn: sqlite3.Connection, text: str, *, admin_keys: Iterable[str] = (),
           name: str | None = None, favorable: bool = False, limit: int = 20) -> list[Hit]:
    """Opinions matching all the words of ``text``, best first (bm25: the subject and
    the administration weigh more than the text)."""
    expression = match_expression(text)
    if expression is None:
        return []
    where, params = ["avis_fts MATCH ?"], [expression]
    keys = sorted(set(admin_keys))
    if keys:
        where.append(f"a.admin_key IN ({', '.join('?' * len(keys))})")
        params.extend(keys)
    if name:
        where.append("instr(a.admin_key, ?) > 0")
        params.append(normalise_name(name))
    if favorable:
        where.append("a.favorable = 1")
    rows = conn.execute(
        "SELECT a.number, a.session, a.administration, a.meaning, a.subject, "
        f"snippet(avis_fts, 5, '{MATCH_START}', '{MATCH_STOP}', '…', 16), a.favorable "
        "FROM avis_fts JOIN avis a ON a.id = avis_fts.rowid "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY bm25(avis_fts, 4.0, 8.0, 2.0, 4.0, 1.0, 1.0), a.session DESC LIMIT ?",
        (*params, limit)).fetchall()
    return [Hit(r[0], date.fromisoformat(r[1]) if r[1] else None, r[2], r[3], r[4],
                r[5] or r[4], bool(r[6])) for r in rows]


def get(conn: sqlite3.Connection, number: str) -> dict | None:
    row = conn.execute(
        "SELECT number, administration, type, year, session, subject, topics, keywords, "
        "meaning, part, body, favorable, no_answer FROM avis WHERE number = ?",
        (number.strip(),)).fetchone()
    if row is None:
        return None
    keys = ("number", "administration", "type", "year", "date", "subject", "topics",
            "keywords", "meaning", "part", "text", "favorable", "no_answer")
    data = dict(zip(keys, row, strict=True))
    data["favorable"], data["no_answer"] = bool(data["favorable"]), bool(data["no_answer"])
    return data


def counts(conn: sqlite3.Connection, admin_keys: Iterable[str]) -> tuple[int, int, int]:
    """(opinions, favourable, noted "En l'absence de réponse") for these names."""
    keys = sorted(set(admin_keys))
    if not keys:
        return 0, 0, 0
    row = conn.execute(
        "SELECT count(*), coalesce(sum(favorable), 0), coalesce(sum(no_answer), 0) FROM avis "
        f"WHERE admin_key IN ({', '.join('?' * len(keys))})", keys).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def total(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM avis").fetchone()[0])


def near_numbers(conn: sqlite3.Connection, number: str) -> list[str]:
    prefix = number.strip()[:6]
    rows = conn.execute("SELECT number FROM avis WHERE number LIKE ? ORDER BY number LIMIT 5",
                        (prefix.replace("%", "").replace("_", "") + "%",)).fetchall()
    return [r[0] for r in rows]
