"""``cada search``: the user's words against the index, with a snippet for each hit.

SQLite: the words become an FTS5 query of quoted prefix terms (``"camera"*``), all
required; no FTS5 syntax is ever taken from the user. PostgreSQL:
``websearch_to_tsquery('cada_fr', …)`` (French stemming, accents ignored when
``unaccent`` is installed). Snippets mark the words found between ``\\x02`` and
``\\x03`` (the index holds no control characters): :func:`marked` turns them into
what the caller wants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from cada_tracker.errors import InputError

START, STOP = "\x02", "\x03"
WHERE_LABELS = {"subject": "objet", "document": "document demandé", "event": "événement",
                "letter": "courrier", "file": "fichier"}


@dataclass(frozen=True)
class Hit:
    reference: str
    administration: str
    where: str
    label: str
    snippet: str
    file: str | None


def fts5_query(words: str) -> str:
    terms = re.findall(r"\w+", words)
    if not terms:
        raise InputError("Texte à chercher vide : donnez au moins un mot (lettres ou chiffres).")
    return " ".join(f'"{t}"*' for t in terms)


def marked(snippet: str, before: str = "«", after: str = "»") -> str:
    return snippet.replace(START, before).replace(STOP, after)


def search(conn: Connection, words: str, *, campaign: str | None = None,
           admin_id: int | None = None, limit: int = 50) -> list[Hit]:
    params: dict = {"limit": limit}
    filters = ""
    if campaign is not None:
        filters += " AND r.campaign = :campaign"
        params["campaign"] = campaign
    if admin_id is not None:
        filters += " AND r.administration_id = :admin"
        params["admin"] = admin_id
    columns = ("r.reference, a.name AS administration, e.source, e.label, e.source_id, "
               "f.path AS file")
    joins = ("JOIN request r ON r.id = e.request_id "
             "JOIN administration a ON a.id = r.administration_id "
             "LEFT JOIN stored_file f ON e.source = 'file' AND f.id = e.source_id")
    if conn.dialect.name == "sqlite":
        params["q"] = fts5_query(words)
        sql = (f"SELECT {columns}, snippet(search_fts, 0, '{START}', '{STOP}', '…', 16) AS snip "
               f"FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid {joins} "
               f"WHERE search_fts MATCH :q{filters} ORDER BY search_fts.rank, e.id LIMIT :limit")
    else:
        if not re.search(r"\w", words):
            fts5_query(words)  # the same French error for an empty query
        params["q"] = words
        sql = (f"SELECT {columns}, ts_headline('cada_fr', e.body, q, 'StartSel={START}, "
               f"StopSel={STOP}, MaxWords=24, MinWords=10, MaxFragments=1, "
               f"FragmentDelimiter=…') AS snip "
               f"FROM search_entry e CROSS JOIN websearch_to_tsquery('cada_fr', :q) q {joins} "
               f"WHERE to_tsvector('cada_fr'::regconfig, e.body) @@ q{filters} "
               f"ORDER BY ts_rank(to_tsvector('cada_fr'::regconfig, e.body), q) DESC, e.id "
               f"LIMIT :limit")
    hits, seen = [], set()
    for row in conn.execute(text(sql), params):
        key = (row.reference, row.source, row.source_id)
        if key in seen:  # another chunk of the same file
            continue
        seen.add(key)
        hits.append(Hit(reference=row.reference, administration=row.administration,
                        where=WHERE_LABELS.get(row.source, row.source), label=row.label,
                        snippet=" ".join(row.snip.split()), file=row.file))
    return hits
