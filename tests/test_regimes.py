"""Special regimes, express refusals and opposability (rule book §3.2, §4.2, §7)."""

from __future__ import annotations

from datetime import date as D

from cada_tracker.deadlines import Facts, compute


def step(facts, key, zone="metropole"):
    return compute(facts, zone=zone).step(key)


def test_environment_without_extension_is_one_month():
    assert step(Facts(regime="environment", received=D(2026, 3, 10)),
                "implicit_refusal").date == D(2026, 4, 10)


def test_environment_extension_within_the_first_month_gives_two_months():
    facts = Facts(regime="environment", received=D(2026, 3, 10), extension=D(2026, 4, 1))
    ir = step(facts, "implicit_refusal")
    assert ir.date == D(2026, 5, 10) and ir.safe_date == D(2026, 4, 10)
    cada = step(facts, "cada_deadline")
    # Act after the later refusal and before the earlier CADA deadline (§7.1).
    assert cada.date == D(2026, 7, 10) and cada.safe_date == D(2026, 6, 9)


def test_environment_extension_notified_too_late_changes_nothing():
    result = compute(Facts(regime="environment", received=D(2026, 3, 10),
                           extension=D(2026, 4, 20)))
    assert result.step("implicit_refusal").date == D(2026, 4, 10)
    assert any("R124-1" in w for w in result.warnings)


def test_archives_two_months_from_registration():
    assert step(Facts(regime="archives", received=D(2026, 1, 15)),
                "implicit_refusal").date == D(2026, 3, 15)


def test_express_refusal_before_the_implicit_one_starts_the_cada_delay():
    facts = Facts(received=D(2026, 3, 1), refusal=D(2026, 3, 20), refusal_mentions=True)
    assert step(facts, "cada_deadline").date == D(2026, 5, 20)
    assert step(facts, "cada_earliest").date == D(2026, 3, 20)


def test_express_refusal_after_the_implicit_one_reopens_but_safe_keeps_the_earlier():
    facts = Facts(received=D(2026, 3, 1), refusal=D(2026, 4, 20))
    cada = step(facts, "cada_deadline")
    assert cada.date == D(2026, 6, 22)  # 20 Jun 2026 is a Saturday
    assert cada.safe_date == D(2026, 5, 31)  # from the implicit refusal of 1 Apr


def test_express_refusal_after_the_cada_delay_is_confirmative():
    result = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 7, 1)))
    assert result.step("cada_deadline").date == D(2026, 6, 1)
    assert any("confirmatif" in w for w in result.warnings)


def test_missing_mentions_make_delays_not_opposable_with_a_one_year_fallback():
    result = compute(Facts(received=D(2026, 3, 1), ack_mentions=False))
    assert not result.opposable and not result.step("cada_deadline").opposable
    assert result.step("reasonable_delay").date == D(2027, 4, 1)
    complete = compute(Facts(received=D(2026, 3, 1), ack_mentions=True))
    assert complete.opposable and complete.step("reasonable_delay") is None


def test_full_answer_before_the_refusal_stops_the_chain():
    result = compute(Facts(received=D(2026, 3, 1), full_answer=D(2026, 3, 20)))
    assert result.step("cada_deadline") is None


def test_premature_referral_is_flagged():
    result = compute(Facts(received=D(2026, 3, 1), cada_sent=D(2026, 3, 20)))
    assert any("prématurée" in w for w in result.warnings)


def test_registration_unknown_uses_the_sending_date_for_the_safe_court_date():
    result = compute(Facts(received=D(2026, 1, 5), cada_sent=D(2026, 2, 10)))
    assert result.step("confirmed_refusal").date == D(2026, 4, 10)
    assert any("enregistrement" in w for w in result.warnings)
