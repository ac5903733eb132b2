"""Properties of the legal clock, over random dates from 2000 to 2100 and every zone."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cada_tracker.deadlines import ZONES, Facts, compute, is_working_day

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 6, 30))
zones = st.sampled_from(ZONES)
gaps = st.integers(min_value=0, max_value=200)


def chain(received: date, registered_after: int, zone: str):
    return compute(Facts(received=received,
                         cada_registered=received + timedelta(days=40 + registered_after),
                         ack_mentions=True), zone=zone)


@settings(max_examples=300, deadline=None)
@given(dates, gaps, zones)
def test_a_deadline_never_precedes_its_trigger(received, gap, zone):
    r = chain(received, gap, zone)
    ir, cada = r.step("implicit_refusal"), r.step("cada_deadline")
    confirmed, court = r.step("confirmed_refusal"), r.step("court_deadline")
    assert ir.date > received
    assert cada.date > ir.date and cada.safe_date > ir.date
    assert confirmed.date > received + timedelta(days=40 + gap)
    assert court.date > confirmed.date and court.safe_date > confirmed.date


@settings(max_examples=300, deadline=None)
@given(dates, gaps, zones)
def test_an_extended_date_is_a_working_day_of_its_calendar(received, gap, zone):
    r = chain(received, gap, zone)
    assert is_working_day(r.step("cada_deadline").date, "metropole")  # the CADA sits in Paris
    assert is_working_day(r.step("court_deadline").date, zone)


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=1, max_value=60), gaps, zones)
def test_a_later_trigger_never_gives_an_earlier_deadline(received, later, gap, zone):
    early, late = chain(received, gap, zone), chain(received + timedelta(days=later), gap, zone)
    for key in ("implicit_refusal", "cada_deadline", "confirmed_refusal", "court_deadline"):
        assert late.step(key).date >= early.step(key).date, key
        assert late.step(key).safe_date >= early.step(key).safe_date, key


@settings(max_examples=300, deadline=None)
@given(dates, gaps, zones, st.booleans())
def test_the_safe_date_is_never_after_the_legal_date(received, gap, zone, mentions):
    r = compute(Facts(received=received, ack_mentions=mentions,
                      cada_sent=received + timedelta(days=35 + gap),
                      cada_registered=received + timedelta(days=38 + gap)), zone=zone)
    for key in ("cada_deadline", "court_deadline", "reasonable_delay"):
        step = r.step(key)
        if step is not None:
            assert step.safe_date <= step.date, key
