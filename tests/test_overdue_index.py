"""cada overdue reads the covering partial index, never the request table (SQLite)."""

from __future__ import annotations

from sqlalchemy import text

from cada_tracker import paths, storage
from cada_tracker.services.overdue_query import _QUERY


def test_overdue_query_uses_the_covering_index(cli, draft_ref):
    engine = storage.open_db(paths.resolve())
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(
            text("EXPLAIN QUERY PLAN " + _QUERY), {"horizon": "2026-12-01"}))
    engine.dispose()
    assert "USING COVERING INDEX ix_request_pending_clock" in plan, plan
    assert "SCAN r " not in plan.replace("SCAN r USING COVERING INDEX", "")
