"""Every worked example of the rule book (§11.1), on both dates, plus the calendar cases
the issue names. Whatever engine sits in cada_tracker.deadlines must pass these."""

from __future__ import annotations

from datetime import date as D

import pytest

from cada_tracker.deadlines import Facts, compute


def steps(facts, zone="metropole"):
    result = compute(facts, zone=zone)
    return {s.key: (s.date, s.safe_date) for s in result.steps}


EXAMPLES = [
    # S1 vagneux: received 1 Jan → IR 1 Feb (reading L); CADA L 1 Apr, S 31 Mar.
    ("S1", Facts(received=D(2026, 1, 1)), "implicit_refusal", D(2026, 2, 1), D(2026, 2, 1)),
    ("S1", Facts(received=D(2026, 1, 1)), "cada_deadline", D(2026, 4, 1), D(2026, 3, 31)),
    # S2: received Sun 15 Mar → IR 15 Apr; CADA 14 Jun is a Sunday → L Mon 15 Jun, S 14 Jun.
    ("S2", Facts(received=D(2026, 3, 15)), "implicit_refusal", D(2026, 4, 15), D(2026, 4, 15)),
    ("S2", Facts(received=D(2026, 3, 15)), "cada_deadline", D(2026, 6, 15), D(2026, 6, 14)),
    # S3: express refusal notified Fri 30 Oct 2026 → L 30 Dec, S 29 Dec.
    ("S3", Facts(refusal=D(2026, 10, 30)), "cada_deadline", D(2026, 12, 30), D(2026, 12, 29)),
    # S4 alexia: request 11 Jan 2024 → IR Sun 11 Feb 2024 (not shifted); CADA L 11 Apr, S 10 Apr.
    ("S4", Facts(received=D(2024, 1, 11)), "implicit_refusal", D(2024, 2, 11), D(2024, 2, 11)),
    ("S4", Facts(received=D(2024, 1, 11)), "cada_deadline", D(2024, 4, 11), D(2024, 4, 10)),
    # S5 vagneux: C 23 Jun 2022 → TA "jusqu'au 24 août inclus".
    ("S5", Facts(received=D(2022, 1, 3), cada_registered=D(2022, 4, 23)), "court_deadline",
     D(2022, 8, 24), D(2022, 8, 23)),
    # S6 Icard: notified 3 Jan 2021 → 4 Mar 2021 (express confirmation before C).
    ("S6", Facts(received=D(2020, 9, 1), cada_registered=D(2020, 12, 1),
                 confirmation=D(2021, 1, 3)), "court_deadline", D(2021, 3, 4), D(2021, 3, 3)),
    # S7 lex-publica: notified 4 Feb 2019 → 5 Apr 2019.
    ("S7", Facts(received=D(2018, 9, 1), cada_registered=D(2018, 12, 10),
                 confirmation=D(2019, 2, 4)), "court_deadline", D(2019, 4, 5), D(2019, 4, 4)),
    # S8 Icard: notified 1 Oct 2007 → Sun 2 Dec → Mon 3 Dec 2007.
    ("S8", Facts(received=D(2007, 6, 1), cada_registered=D(2007, 8, 10),
                 confirmation=D(2007, 10, 1)), "court_deadline", D(2007, 12, 3), D(2007, 12, 1)),
    # S10 ouvre-boîte: implicit decision Wed 20 Sep 2023 → Tue 21 Nov.
    ("S10", Facts(received=D(2023, 5, 2), cada_registered=D(2023, 7, 20)), "court_deadline",
     D(2023, 11, 21), D(2023, 11, 20)),
    # S12: Rg Thu 20 Nov 2025 → C Tue 20 Jan 2026 → TA L Mon 23 Mar (Sat 21), S Fri 20 Mar.
    ("S12", Facts(received=D(2025, 9, 1), cada_registered=D(2025, 11, 20)), "confirmed_refusal",
     D(2026, 1, 20), D(2026, 1, 20)),
    ("S12", Facts(received=D(2025, 9, 1), cada_registered=D(2025, 11, 20)), "court_deadline",
     D(2026, 3, 23), D(2026, 3, 20)),
    # S13 avis 20180695: Rg 1 Feb 2018 → avis due 1 Mar, C Sun 1 Apr, TA L Mon 4 Jun, S Fri 1 Jun.
    ("S13", Facts(received=D(2017, 11, 2), cada_registered=D(2018, 2, 1)), "cada_opinion_due",
     D(2018, 3, 1), None),
    ("S13", Facts(received=D(2017, 11, 2), cada_registered=D(2018, 2, 1)), "confirmed_refusal",
     D(2018, 4, 1), D(2018, 4, 1)),
    ("S13", Facts(received=D(2017, 11, 2), cada_registered=D(2018, 2, 1)), "court_deadline",
     D(2018, 6, 4), D(2018, 6, 1)),
    # S13 similar: 20174748 Rg 22 Sep 2017 → C 22 Nov, TA L Tue 23 Jan 2018.
    ("S13b", Facts(received=D(2017, 7, 3), cada_registered=D(2017, 9, 22)), "court_deadline",
     D(2018, 1, 23), D(2018, 1, 22)),
    # 20233336: Rg 5 Jun 2023 → C Sat 5 Aug, TA L Fri 6 Oct 2023.
    ("S13c", Facts(received=D(2023, 3, 1), cada_registered=D(2023, 6, 5)), "confirmed_refusal",
     D(2023, 8, 5), D(2023, 8, 5)),
    ("S13c", Facts(received=D(2023, 3, 1), cada_registered=D(2023, 6, 5)), "court_deadline",
     D(2023, 10, 6), D(2023, 10, 5)),
]


@pytest.mark.parametrize("name, facts, key, legal, safe", EXAMPLES,
                         ids=[f"{e[0]}-{e[2]}" for e in EXAMPLES])
def test_rule_book_worked_examples(name, facts, key, legal, safe):
    assert steps(facts)[key] == (legal, safe), name


def test_received_31_january_ends_on_the_last_day_of_february():
    assert steps(Facts(received=D(2026, 1, 31)))["implicit_refusal"][0] == D(2026, 2, 28)
    assert steps(Facts(received=D(2028, 1, 31)))["implicit_refusal"][0] == D(2028, 2, 29)


def test_received_29_february():
    got = steps(Facts(received=D(2028, 2, 29)))
    assert got["implicit_refusal"][0] == D(2028, 3, 29)
    assert got["cada_deadline"] == (D(2028, 5, 29), D(2028, 5, 28))


def test_deadline_on_14_july_moves_to_the_next_working_day():
    # Express refusal 14 May 2026 → 14 Jul 2026 (Tuesday, fête nationale) → Wed 15 Jul.
    assert steps(Facts(refusal=D(2026, 5, 14)))["cada_deadline"] == (D(2026, 7, 15),
                                                                     D(2026, 7, 13))


def test_deadline_on_easter_monday():
    # Refusal 6 Feb 2026 → 6 Apr 2026 is Easter Monday → Tue 7 Apr.
    assert steps(Facts(refusal=D(2026, 2, 6)))["cada_deadline"][0] == D(2026, 4, 7)


def test_deadline_on_1_may_followed_by_a_weekend():
    # 1 May 2026 is a Friday: → Monday 4 May.
    assert steps(Facts(refusal=D(2026, 3, 1)))["cada_deadline"][0] == D(2026, 5, 4)


def test_good_friday_in_moselle_but_not_in_metropole():
    # C = 2 Feb 2026 → échéance 2 Apr, franc → Fri 3 Apr 2026 (Good Friday).
    facts = Facts(received=D(2025, 10, 1), cada_registered=D(2025, 12, 2),
                  confirmation=D(2026, 2, 2))
    assert steps(facts, "metropole")["court_deadline"][0] == D(2026, 4, 3)
    # Moselle: Good Friday, then the weekend, then Easter Monday → Tue 7 Apr.
    assert steps(facts, "alsace-moselle")["court_deadline"][0] == D(2026, 4, 7)


def test_S9_a_deadline_ending_on_a_saturday_moves_to_monday():
    # CE 13 mai 2015 n° 368892: expiry Sat 17 Mar 2012 24h → Mon 19 Mar 2012 (art. 642).
    from cada_tracker.deadlines.engine import _extend

    moved, text = _extend(D(2012, 3, 17), "metropole")
    assert moved == D(2012, 3, 19) and "art. 642 CPC" in text and "19/03/2012" in text


def test_S11_without_voies_et_delais_one_year_at_most_and_the_opinion_changes_nothing():
    # CCM Benchmark (CE 11 mars 2024 n° 488227): request Sept 2020, CADA seized, avis
    # 10 Dec 2020; with the confirmation on 10 Dec 2020, one year = 10 Dec 2021.
    facts = Facts(received=D(2020, 9, 1), ack_mentions=False, cada_registered=D(2020, 10, 10))
    bound = compute(facts).step("reasonable_delay")
    assert (bound.date, bound.opposable) == (D(2021, 12, 10), False)
    with_opinion = Facts(received=D(2020, 9, 1), ack_mentions=False,
                         cada_registered=D(2020, 10, 10), opinion=D(2020, 12, 10),
                         opinion_verdict="favorable")
    assert compute(with_opinion).step("reasonable_delay").date == D(2021, 12, 10)
