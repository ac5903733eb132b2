"""The --json shapes documented in the README are a contract: keys and types are pinned."""

from __future__ import annotations

import pytest

import re

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SHOW_KEYS = {
    "reference", "status", "subject", "administration", "mode", "regime", "campaign", "tags",
    "template", "profile", "sender", "sent_on", "received_on", "created_at", "documents",
    "events", "files", "deadlines",
}
EVENT_KEYS = {
    "id", "kind", "on", "channel", "tracking", "outcome", "mentions", "got", "refused",
    "reason", "text", "cancels", "cancelled_by", "recorded_by", "recorded_at", "number",
    "cancels_number", "cancelled_by_number",
}
LIST_KEYS = {
    "reference", "status", "administration_id", "administration", "subject", "campaign",
    "sent_on", "received_on", "next_action", "next_deadline",
}


# Every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.usefixtures("backend")


def test_show_json_shape(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", "--tracking", "1A", ok=True)
    data = cli("show", draft_ref, "--json", ok=True).json()
    assert SHOW_KEYS <= set(data)
    assert set(data["administration"]) == {"id", "name", "department", "tags"}
    assert set(data["sender"]) == {"name", "address", "email", "city"}
    assert isinstance(data["sender"]["address"], list)
    assert set(data["documents"][0]) == {"position", "description", "outcome"}
    assert set(data["events"][0]) == EVENT_KEYS
    assert ISO_DATE.match(data["sent_on"]) and data["received_on"] is None
    assert ISO_DATE.match(data["events"][0]["on"])
    assert re.match(r"^\d{4}-\d{4}$", data["reference"])
    assert set(data["deadlines"]) >= {"steps", "warnings", "next_action"}
    assert set(data["deadlines"]["next_action"]) == {"kind", "from", "due", "legal_due"}


def test_list_json_shape(cli, draft_ref):
    rows = cli("list", "--json", ok=True).json()
    assert isinstance(rows, list) and set(rows[0]) == LIST_KEYS
    assert isinstance(rows[0]["administration_id"], int)


def test_created_objects_are_printed_on_stdout_and_messages_on_stderr(cli, admin_id):
    result = cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y", "--json", ok=True)
    assert result.json()["reference"]
    assert "rédigée" in result.stderr and "rédigée" not in result.stdout
    event = cli("sent", result.json()["reference"], "--on", "2026-03-02", "--via", "email",
                "--json", ok=True).json()
    assert event["kind"] == "sent" and event["status"] == "sent" and isinstance(event["id"], int)
