"""Alaveteli states → cada events (pure): every state of InfoRequest::State has its fate."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from cada_tracker.errors import InputError
from cada_tracker.madada.mapping import plan_events
from cada_tracker.madada.reader import AlaveteliEvent, Archive, ArchiveEntry, parse_request

PARIS_SUMMER = timezone(timedelta(hours=2))


def ev(id_, type_, day, described=None, calculated=None, hour=10):
    return AlaveteliEvent(id=id_, type=type_, at=datetime(2026, 6, day, hour, tzinfo=PARIS_SUMMER),
                          described_state=described, calculated_state=calculated)


SENT = ev(1, "sent", 2, "waiting_response", "waiting_response")


def kinds(planned):
    return [(p.kind, p.outcome or p.reason, p.on.day) for p in planned]


@pytest.mark.parametrize(("state", "expected"), [
    ("successful", [("answer", "full", 20)]),
    ("partially_successful", [("answer", "partial", 20)]),
    ("rejected", [("answer", "refusal", 20), ("note", None, 20)]),
    ("not_held", [("answer", "refusal", 20), ("note", None, 20)]),
])
def test_classified_responses_become_answers(state, expected):
    planned = plan_events([SENT, ev(2, "response", 20, None, state),
                           ev(3, "status_update", 21, state, state)])
    assert kinds(planned)[0] == ("sent", None, 2)
    assert kinds(planned)[1:] == expected
    if state in ("rejected", "not_held"):
        assert "à vérifier" in planned[-1].text and planned[-1].listed


def test_withdrawn_closes_and_internal_review_is_a_note():
    planned = plan_events([SENT, ev(2, "followup_sent", 10, "internal_review"),
                           ev(3, "status_update", 11, "user_withdrawn", "user_withdrawn")])
    assert kinds(planned) == [("sent", None, 2), ("note", None, 10), ("close", "withdrawn", 11)]
    assert "recours gracieux" in planned[1].text


def test_computed_overdue_states_and_admin_events_are_ignored():
    planned = plan_events([SENT, ev(2, "overdue", 3), ev(3, "very_overdue", 4),
                           ev(4, "status_update", 5, "waiting_response_overdue"),
                           ev(5, "edit", 6), ev(6, "public_token", 7)])
    assert kinds(planned) == [("sent", None, 2)]


def test_a_status_set_without_a_response_is_an_answer_to_check():
    planned = plan_events([SENT, ev(2, "status_update", 15, "successful", "successful")])
    assert kinds(planned) == [("sent", None, 2), ("answer", "full", 15), ("note", None, 15)]
    assert "sans message reçu" in planned[1].text


@pytest.mark.parametrize("state", ["waiting_clarification", "gone_postal", "error_message",
                                   "requires_admin", "vexatious", "not_foi", "theme_state"])
def test_other_states_become_listed_notes(state):
    planned = plan_events([SENT, ev(2, "response", 9, None, state)])
    assert kinds(planned) == [("sent", None, 2), ("note", None, 9)]
    assert planned[1].listed and state in planned[1].text


def test_unknown_event_types_are_listed_notes():
    planned = plan_events([SENT, ev(2, "send_error", 2), ev(3, "brand_new_type", 3)])
    assert [p.kind for p in planned] == ["sent", "note", "note"]
    assert "brand_new_type" in planned[2].text and planned[2].listed


def test_attachments_follow_the_order_of_incoming_messages():
    archive = Archive(path=None, url=None, entries=[
        ArchiveEntry("correspondence.txt", 10, None), ArchiveEntry("1_2_a.pdf", 1, 1),
        ArchiveEntry("2_2_b.pdf", 1, 2), ArchiveEntry("2_3_c.pdf", 1, 2)])
    planned = plan_events([SENT, ev(2, "response", 5, None, "waiting_response"),
                           ev(3, "response", 9, None, "successful")], archive)
    assert [[f.name for f in p.files] for p in planned] == [
        ["correspondence.txt"], ["1_2_a.pdf"], ["2_2_b.pdf", "2_3_c.pdf"]]
    assert planned[1].kind == "note" and "accusé de réception" in planned[1].text


def test_dates_are_paris_days_and_display_strings_are_ignored():
    data = {"id": 7, "url_title": "t", "title": "Titre", "created_at": "2026-01-31T23:30:00Z",
            "described_state": "successful", "display_status": "Réussi le 12/12/2012",
            "law_used": "foi", "tags": [], "public_body": {"url_name": "b", "name": "B"},
            "info_request_events": [
                {"id": 1, "event_type": "sent", "created_at": "2026-01-31T23:30:00.000Z"},
                {"id": 2, "event_type": "response", "created_at": "2026-03-01T00:30:00+01:00",
                 "calculated_state": "successful", "display_status": "Réussi"}]}
    req = parse_request(data, "x.json")
    planned = plan_events(req.events)
    assert [(p.kind, p.on) for p in planned] == [("sent", date(2026, 2, 1)),
                                                 ("answer", date(2026, 3, 1))]


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d.update(url_title="../etc"), "url_title"),
    (lambda d: d.update(id="7"), "« id »"),
    (lambda d: d["info_request_events"].append({"id": 3, "created_at": "2026-01-01"}),
     "event_type"),
    (lambda d: d.update(tags="technopolice"), "tags"),
    (lambda d: d.update(created_at="1789-07-14T10:00:00Z"), "1900-2100"),
])
def test_malformed_requests_are_refused_naming_the_field(edit, field):
    data = {"id": 7, "url_title": "t", "title": "Titre", "created_at": "2026-01-31T23:30:00Z",
            "described_state": "successful", "law_used": "foi", "tags": [],
            "public_body": {"url_name": "b", "name": "B"}, "info_request_events": []}
    edit(data)
    with pytest.raises(InputError, match=field):
        parse_request(data, "x.json")
