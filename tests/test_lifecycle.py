"""Status and outcomes derive from events (pure rules)."""

from __future__ import annotations

from datetime import date

import pytest

from cada_tracker.errors import InputError, StateError
from cada_tracker.services.lifecycle import (
    Ev,
    check_cancel,
    check_new_event,
    derive_outcomes,
    derive_status,
    parse_positions,
)

D = date(2026, 3, 2)


def test_status_follows_events():
    evs = [Ev(1, "sent", D)]
    assert derive_status([]) == "draft"
    assert derive_status(evs) == "sent"
    evs.append(Ev(2, "received", date(2026, 3, 4)))
    assert derive_status(evs) == "received"
    evs.append(Ev(3, "answer", date(2026, 3, 20), outcome="refusal"))
    assert derive_status(evs) == "refused"
    evs.append(Ev(4, "cancel", date(2026, 3, 21), cancels_id=3))
    assert derive_status(evs) == "received"
    evs.append(Ev(5, "close", date(2026, 3, 22)))
    assert derive_status(evs) == "closed"


def test_outcomes():
    evs = [Ev(1, "sent", D), Ev(2, "answer", D, outcome="partial", got="1", refused="3")]
    assert derive_outcomes(evs, 3) == {1: "obtained", 2: "pending", 3: "refused"}
    evs.append(Ev(3, "answer", date(2026, 4, 1), outcome="full"))
    assert derive_outcomes(evs, 3) == {1: "obtained", 2: "obtained", 3: "obtained"}
    refusal = [Ev(1, "sent", D), Ev(2, "answer", D, outcome="refusal")]
    assert set(derive_outcomes(refusal, 2).values()) == {"refused"}


def test_positions():
    assert parse_positions("1, 3,2-4", count=4, field="--got") == [1, 3, 2, 4]
    with pytest.raises(InputError, match="n° 5"):
        parse_positions("5", count=4, field="--got")
    with pytest.raises(InputError, match="abc"):
        parse_positions("abc", count=4, field="--got")


def test_impossible_events():
    with pytest.raises(StateError, match="pas encore été envoyée"):
        check_new_event([], "answer", D)
    closed = [Ev(1, "sent", D), Ev(2, "close", D)]
    with pytest.raises(StateError, match="close"):
        check_new_event(closed, "answer", D)
    check_new_event(closed, "note", D)
    with pytest.raises(StateError, match="déjà annulé"):
        check_cancel([Ev(1, "sent", D), Ev(2, "cancel", D, cancels_id=1)], 1)
    with pytest.raises(StateError, match="n'appartient pas"):
        check_cancel([Ev(1, "sent", D)], 9)
