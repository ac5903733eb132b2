"""Keeping ``search_entry`` in step with the record, in the transaction that writes.

What is indexed, per request: its subject, each requested document, the text of
each event (notes, reasons, tracking numbers), the request letter, and each stored
file's text (in chunks of :data:`CHUNK` characters; a file whose text cannot be read
still gets one entry, with its name and a status). SQLite's FTS5 index follows
``search_entry`` through triggers; PostgreSQL's GIN index follows it by itself.

:func:`track` hooks a write session: every request touched by the command (new or
changed request, document, event or stored file) has its entries rewritten just
before the commit, and files with no entry yet are read (in the worker subprocess).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from cada_tracker.services.search.extract import clean, letter_text
from cada_tracker.services.search.worker import PROBLEMS, Extraction, extract_file
from cada_tracker.vocab import EVENT_KINDS

#: Characters per entry: PostgreSQL refuses a tsvector over 1 MB; snippets stay cheap.
CHUNK = 100_000
RECORD_SOURCES = ("subject", "document", "event", "letter")


@dataclass
class Tracker:
    """What a write session touched, and the files whose text could not be read."""

    data_dir: Path
    requests: set[int] = field(default_factory=set)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file name, status)


def chunks(body: str) -> list[str]:
    """``body`` cut in pieces of at most CHUNK characters, at a space when there is one."""
    pieces = []
    while len(body) > CHUNK:
        cut = body.rfind(" ", CHUNK // 2, CHUNK)
        cut = cut if cut > 0 else CHUNK
        pieces.append(body[:cut])
        body = body[cut:].lstrip()
    pieces.append(body)
    return pieces


def insert_rows(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(text(
            "INSERT INTO search_entry (request_id, source, source_id, chunk, label, status, body) "
            "VALUES (:request_id, :source, :source_id, :chunk, :label, :status, :body)"), rows)


def _id_list(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def entry(request_id: int, source: str, source_id: int | None, label: str,
          body: str | None) -> list[dict]:
    """The entry of one piece of a request's own text ([] when nothing is left of it
    once cleaned): what :func:`record_rows` stores, for a caller holding the values
    (``bench/generate.py`` builds its rows without a database)."""
    body = clean(body or "")
    if not body:
        return []
    return [{"request_id": request_id, "source": source, "source_id": source_id,
             "chunk": 0, "label": label, "status": "ok", "body": body[:CHUNK]}]


def request_entries(request_id: int, subject: str, letter_html: str | None) -> list[dict]:
    """A request's subject and letter."""
    rows = entry(request_id, "subject", None, "objet", subject)
    if letter_html:
        rows += entry(request_id, "letter", None, "courrier de demande", letter_text(letter_html))
    return rows


def document_entries(request_id: int, document_id: int, position: int,
                     description: str) -> list[dict]:
    return entry(request_id, "document", document_id, f"document demandé n° {position}",
                 description)


def event_entries(request_id: int, event_id: int, kind: str, on, tracking: str | None,
                  reason: str | None, event_text: str | None) -> list[dict]:
    """An event's own words (notes, reasons, tracking numbers); ``on``: a date or its
    ISO text."""
    body = " ".join(v for v in (event_text, reason, tracking) if v)
    return entry(request_id, "event", event_id,
                 f"{EVENT_KINDS.get(kind, kind)} du {_fr_date(on)}", body)


def record_rows(conn: Connection, request_ids: list[int]) -> list[dict]:
    """The entries of these requests' own text (everything but their files): three
    queries for the whole batch."""
    rows = []
    ids = _id_list(request_ids)
    for r in conn.execute(text(f"SELECT id, subject, letter_html FROM request "
                               f"WHERE id IN ({ids}) ORDER BY id")):
        rows += request_entries(r.id, r.subject, r.letter_html)
    for doc in conn.execute(text(f"SELECT request_id, id, position, description FROM "
                                 f"requested_document WHERE request_id IN ({ids}) "
                                 f"ORDER BY request_id, position")):
        rows += document_entries(doc.request_id, doc.id, doc.position, doc.description)
    for ev in conn.execute(text(f'SELECT request_id, id, kind, "on", tracking, reason, text '
                                f"FROM event WHERE request_id IN ({ids}) ORDER BY id")):
        rows += event_entries(ev.request_id, ev.id, ev.kind, ev.on, ev.tracking, ev.reason,
                              ev.text)
    return rows


def _fr_date(value) -> str:
    iso = str(value)[:10]
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) == 10 else iso


BATCH = 500


def refresh_record(conn: Connection, request_ids: Iterable[int]) -> None:
    ordered = sorted(set(request_ids))
    for n in range(0, len(ordered), BATCH):
        batch = ordered[n:n + BATCH]
        conn.execute(text(f"DELETE FROM search_entry WHERE request_id IN ({_id_list(batch)}) "
                          "AND source IN ('subject', 'document', 'event', 'letter')"))
        insert_rows(conn, record_rows(conn, batch))


def stored_path(data_dir: Path, relative: str, conn=None) -> Path:
    """Where a stored file's bytes are (the one place search, dossier and publish ask).

    With ``conn`` on PostgreSQL, the bytes come from the shared base into a private
    local copy first."""
    if conn is None:
        return data_dir / relative
    from cada_tracker.dbfiles import local_copy

    return local_copy(conn, data_dir, relative)


def ocr_layer(path: Path) -> Path:
    """The OCR'd copy of a scan, with its text layer, next to it (``cada ocr``)."""
    return path.with_name(f"{path.name}.ocr.pdf")


def file_rows(file, data_dir: Path, conn=None) -> list[dict]:
    """The entries of one stored file (``file``: id, request_id, path, original_name).

    A scan without text is read through its OCR'd copy when ``cada ocr`` made one."""
    path = stored_path(data_dir, file.path, conn)
    result = extract_file(path, file.original_name)
    layer = ocr_layer(path)
    if result.status in ("empty", "unsupported") and layer.is_file():
        layered = extract_file(layer, layer.name)
        if layered.text:
            result = Extraction("ocr", layered.text)
    name = clean(file.original_name)  # as sent: it may hold control characters
    base = {"request_id": file.request_id, "source": "file", "source_id": file.id,
            "label": name, "status": result.status}
    if not result.text:
        return [{**base, "chunk": 0, "body": name}]
    return [{**base, "chunk": n, "body": piece}
            for n, piece in enumerate(chunks(f"{name}\n{result.text}"))]


def index_new_files(conn: Connection, request_ids: Iterable[int], data_dir: Path
                    ) -> list[tuple[str, str]]:
    """Read and index the files of these requests that have no entry yet."""
    ids = sorted(set(request_ids))
    problems = []
    if not ids:
        return problems
    files = conn.execute(text(
        "SELECT f.id, f.request_id, f.path, f.original_name FROM stored_file f "
        "WHERE f.request_id IN (" + ",".join(str(int(i)) for i in ids) + ") AND NOT EXISTS "
        "(SELECT 1 FROM search_entry e WHERE e.source = 'file' AND e.source_id = f.id) "
        "ORDER BY f.id")).all()
    for file in files:
        rows = file_rows(file, data_dir, conn)
        insert_rows(conn, rows)
        if rows[0]["status"] in PROBLEMS or rows[0]["status"] == "empty":
            problems.append((file.original_name, rows[0]["status"]))
    return problems


def track(session, data_dir: Path) -> Tracker:
    """Keep the index in step with what this write session changes (same transaction)."""
    from sqlalchemy import event

    from cada_tracker.models import Event, Request, RequestedDocument, StoredFile

    tracker = Tracker(data_dir=data_dir)
    watched = (Request, RequestedDocument, Event, StoredFile)

    def after_flush(sess, _context) -> None:
        for obj in (*sess.new, *sess.dirty):
            if isinstance(obj, watched):
                request_id = obj.id if isinstance(obj, Request) else obj.request_id
                if request_id is not None:
                    tracker.requests.add(request_id)

    def before_commit(sess) -> None:
        if sess.in_nested_transaction():  # a savepoint: the whole batch waits for the end
            return
        sess.flush()
        if not tracker.requests:
            return
        conn = sess.connection()
        alive = [r for (r,) in conn.execute(text(
            "SELECT id FROM request WHERE id IN ("
            + ",".join(str(int(i)) for i in sorted(tracker.requests)) + ")"))]
        refresh_record(conn, alive)
        tracker.problems.extend(index_new_files(conn, alive, data_dir))
        tracker.requests.clear()

    event.listen(session, "after_flush", after_flush)
    event.listen(session, "before_commit", before_commit)
    return tracker


def reindex(conn: Connection, data_dir: Path) -> dict:
    """Rebuild the whole index; returns the counts and the files not read."""
    conn.execute(text("DELETE FROM search_entry"))
    request_ids = [r for (r,) in conn.execute(text("SELECT id FROM request ORDER BY id"))]
    refresh_record(conn, request_ids)
    statuses: dict[str, int] = {}
    problems = []
    for file in conn.execute(text("SELECT id, request_id, path, original_name "
                                  "FROM stored_file ORDER BY id")).all():
        rows = file_rows(file, data_dir, conn)
        insert_rows(conn, rows)
        status = rows[0]["status"]
        statuses[status] = statuses.get(status, 0) + 1
        if status in PROBLEMS:
            problems.append((file.original_name, status))
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    return {"requests": len(request_ids), "files": sum(statuses.values()),
            "statuses": statuses, "problems": problems}


def fill_if_empty(conn: Connection, data_dir: Path) -> dict | None:
    """After an upgrade from a schema without the index: build it (None if not needed)."""
    if conn.execute(text("SELECT 1 FROM search_entry LIMIT 1")).first() is not None:
        return None
    if conn.execute(text("SELECT 1 FROM request LIMIT 1")).first() is None:
        return None
    return reindex(conn, data_dir)


def check_index(conn: Connection, *, quick: bool = False) -> list[str]:
    """What is wrong with the index (French), empty when it is in step; ``quick``
    counts what is missing from it without SQLite's full-text integrity check."""
    problems = []
    if conn.dialect.name == "sqlite" and not quick:
        try:
            conn.exec_driver_sql(
                "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        except Exception as exc:  # noqa: BLE001 - SQLite reports corruption as any error
            from cada_tracker.faults import machine_fault

            if machine_fault(exc):  # busy, read-only: not the index's fault
                raise
            problems.append(f"index de recherche incohérent ({exc.__class__.__name__}) : "
                            "lancez cada db reindex")
    unindexed = {
        "fichier(s)": "SELECT count(*) FROM stored_file f WHERE NOT EXISTS (SELECT 1 FROM "
                      "search_entry e WHERE e.source = 'file' AND e.source_id = f.id)",
        "demande(s)": "SELECT count(*) FROM request r WHERE NOT EXISTS (SELECT 1 FROM "
                      "search_entry e WHERE e.source = 'subject' AND e.request_id = r.id)",
    }
    for what, sql in unindexed.items():
        count = conn.execute(text(sql)).scalar()
        if count:
            problems.append(f"{count} {what} absent(s) de l'index de recherche : "
                            "lancez cada db reindex")
    return problems
