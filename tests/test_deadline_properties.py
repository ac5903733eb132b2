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


# Random event histories (RULES.md §12bis): any regime, receipt known or not, refusals
# before or after the implicit one, partial answers, referrals, confirmations, every zone.
def _maybe(draw, strategy):
    return draw(st.one_of(st.none(), strategy))


@st.composite
def histories(draw):
    sent = draw(dates)
    offset = st.integers(min_value=0, max_value=150)
    received = _maybe(draw, offset.map(lambda n: sent + timedelta(days=n % 15)))
    start = received or sent
    refusal = _maybe(draw, offset.map(lambda n: start + timedelta(days=n)))
    cada_sent = _maybe(draw, offset.map(lambda n: start + timedelta(days=n)))
    registered = None
    if cada_sent is not None:
        registered = _maybe(draw, st.integers(0, 20).map(lambda n: cada_sent + timedelta(days=n)))
    confirmation = None
    if cada_sent is not None:
        confirmation = _maybe(draw, st.integers(0, 150).map(
            lambda n: cada_sent + timedelta(days=n)))
    mentions = st.sampled_from([None, True, False])
    return Facts(
        regime=draw(st.sampled_from(["general", "environment", "archives"])),
        sent=sent, sent_via=draw(st.sampled_from([None, "lrar", "letter", "email", "portal",
                                                  "hand"])),
        received=received, ack_mentions=draw(mentions),
        extension=_maybe(draw, st.integers(0, 60).map(lambda n: start + timedelta(days=n))),
        refusal=refusal, refusal_mentions=draw(mentions) if refusal else None,
        pending_documents=draw(st.booleans()) if refusal else False,
        cada_sent=cada_sent, cada_registered=registered, confirmation=confirmation,
        confirmation_mentions=draw(mentions) if confirmation else None,
    )


@settings(max_examples=500, deadline=None)
@given(histories(), zones)
def test_random_histories_keep_safe_dates_on_the_safe_side_and_explain_them(facts, zone):
    from cada_tracker.deadlines.facts import fr

    result = compute(facts, zone=zone)  # the engine itself asserts safe <= legal
    for step in result.steps:
        if step.safe_date is not None:
            if step.key == "cada_earliest":
                assert step.safe_date >= step.date, step
            else:
                assert step.safe_date <= step.date, step
        # No step precedes the event it is counted from, and its explanation names it.
        assert step.start is not None and step.date >= step.start, step
        assert fr(step.start) in step.explanation, step
        if step.safe_start is not None:
            assert step.safe_date is None or step.safe_date >= step.safe_start, step
            assert fr(step.safe_start) in step.explanation, step


@st.composite
def any_dates(draw):
    """Facts whose dates may contradict each other, as an old database may hold."""
    def some():
        return _maybe(draw, dates)

    refusal, confirmation = some(), some()
    return Facts(
        regime=draw(st.sampled_from(["general", "environment", "archives"])),
        sent=draw(dates), received=some(), ack_mentions=draw(st.sampled_from([None, True,
                                                                               False])),
        extension=some(), refusal=refusal, refusal_mentions=draw(st.booleans()),
        pending_documents=draw(st.booleans()), cada_sent=some(), cada_registered=some(),
        confirmation=confirmation, confirmation_mentions=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(any_dates(), zones)
def test_contradictory_dates_are_flagged_never_a_crash(facts, zone):
    # The upgrade recomputes every stored clock: one odd request must not stop it.
    from cada_tracker.deadlines import inconsistencies

    result = compute(facts, zone=zone)
    flagged = any(w.startswith("Dates incohérentes") for w in result.warnings)
    assert flagged == bool(inconsistencies(facts))
