"""The weekly check's classification of stored clock rows (pure)."""

from __future__ import annotations

from datetime import date

from cada_tracker.services.overdue import Row, classify, sort_key


def refer_row(**kw):
    base = dict(reference="2026-0001", administration="Mairie", subject="X", campaign=None,
                next_action="refer", action_from=date(2026, 2, 2),
                action_due=date(2026, 3, 31), implicit_refusal_on=date(2026, 2, 1),
                cada_deadline_on=date(2026, 3, 31), confirmed_refusal_on=None,
                court_deadline_on=None)
    base.update(kw)
    return Row(**base)


def cada_row(**kw):
    base = dict(reference="2026-0002", administration="Préfecture", subject="Y", campaign=None,
                next_action="cada", action_from=date(2026, 5, 20),
                action_due=date(2026, 8, 20), implicit_refusal_on=date(2026, 2, 1),
                cada_deadline_on=date(2026, 3, 31), confirmed_refusal_on=date(2026, 6, 20),
                court_deadline_on=date(2026, 8, 20))
    base.update(kw)
    return Row(**base)


def test_refusal_not_yet_acquired_is_upcoming_within_the_horizon():
    assert classify(refer_row(), date(2026, 1, 10), 14) is None
    item = classify(refer_row(), date(2026, 1, 25), 14)
    assert item.category == "upcoming" and not item.now and item.date == date(2026, 2, 2)


def test_refusal_acquired_needs_a_referral_with_days_left():
    item = classify(refer_row(), date(2026, 3, 21), 14)
    assert item.category == "refer" and item.now and item.days == 10
    assert "31/03/2026" in item.message


def test_cada_deadline_passed():
    item = classify(refer_row(), date(2026, 4, 1), 14)
    assert item.category == "cada_expired" and item.now and item.days == -1


def test_cada_stage():
    assert classify(cada_row(), date(2026, 4, 1), 14) is None
    upcoming = classify(cada_row(), date(2026, 5, 10), 14)
    assert upcoming.category == "upcoming"
    late = classify(cada_row(), date(2026, 5, 25), 14)
    assert late.category == "opinion_late" and late.now
    court = classify(cada_row(), date(2026, 6, 21), 14)
    assert court.category == "court" and court.days == (date(2026, 8, 20) - date(2026, 6, 21)).days
    expired = classify(cada_row(), date(2026, 8, 21), 14)
    assert expired.category == "court_expired"


def test_favourable_opinion_not_followed():
    row = cada_row(next_action="compliance", action_from=date(2026, 6, 2))
    item = classify(row, date(2026, 6, 5), 14)
    assert item.category == "not_followed" and item.now


def test_most_urgent_first():
    today = date(2026, 3, 21)
    items = [classify(refer_row(reference="a", action_due=date(2026, 3, 30)), today, 14),
             classify(refer_row(reference="b", action_due=date(2026, 3, 22)), today, 14),
             classify(refer_row(reference="c", action_from=date(2026, 3, 25),
                                action_due=date(2026, 5, 25)), today, 14)]
    assert [i.reference for i in sorted(items, key=sort_key)] == ["b", "a", "c"]


def test_an_upcoming_referral_later_than_the_refusal_says_why():
    """Receipt unknown: the safe first day counts from the latest plausible receipt,
    a week after the implicit refusal shown; the line said so without a reason."""
    late = classify(refer_row(action_from=date(2026, 2, 10)), date(2026, 1, 30), 14)
    assert "possible dès le 10/02/2026 (date prudente : réception non enregistrée" in (
        late.message)
    usual = classify(refer_row(action_from=date(2026, 2, 3)), date(2026, 1, 30), 14)
    assert "réception non enregistrée" not in usual.message
