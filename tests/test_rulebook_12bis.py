"""RULES.md §12bis (clarifications after the second audit): one named test per point.

Each test fails on the engine as it was before the audit (commit 6681df0).
"""

from __future__ import annotations

from datetime import date as D

import pytest

from cada_tracker.deadlines import Facts, compute, zone_for
from cada_tracker.deadlines.calendar import ZONES, holidays_of
from cada_tracker.deadlines.engine import Result, Step
from cada_tracker.services.clock import facts_kwargs, pending_action
from cada_tracker.services.lifecycle import Ev, derive_status
from cada_tracker.services.overdue import Row, classify


class _Request:
    regime = "general"


def _stored(events, documents=None):
    """The engine's facts and result for a recorded story (no database)."""
    kwargs = facts_kwargs(_Request(), events, documents)
    return kwargs, compute(Facts(**kwargs))


def test_12bis_1_earliest_referral_never_moves_later_because_of_a_later_letter():
    # Received 1 Mar 2026: implicit refusal 1 Apr; express refusal notified 20 Apr.
    r = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 4, 20), ack_mentions=True))
    earliest = r.step("cada_earliest")
    assert (earliest.date, earliest.safe_date) == (D(2026, 4, 2), D(2026, 4, 3))
    assert "refus implicite du 01/04/2026" in earliest.explanation
    assert "20/04/2026" not in earliest.explanation
    # The stored clock asks for the referral from 2 April, not from the letter.
    events = [Ev(1, "sent", D(2026, 2, 26), channel="email"), Ev(2, "received", D(2026, 3, 1)),
              Ev(3, "answer", D(2026, 4, 20), outcome="refusal", mentions=True)]
    kwargs, result = _stored(events)
    assert pending_action(result, kwargs)[:2] == ("refer", D(2026, 4, 2))
    # Before the implicit refusal, the express refusal opens the referral at once.
    before = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 3, 20)))
    assert before.step("cada_earliest").date == D(2026, 3, 20)


def test_12bis_2_a_refusal_on_the_extended_last_day_reopens_the_cada_window():
    # IR Mon 20 Apr 2026 → 20 Jun is a Saturday → legal last day Mon 22 Jun.
    r = compute(Facts(received=D(2026, 3, 20), refusal=D(2026, 6, 22), ack_mentions=True))
    cada = r.step("cada_deadline")
    assert cada.date == D(2026, 8, 24)  # 22 Aug 2026 is a Saturday
    assert cada.safe_date == D(2026, 6, 19)  # the short track, from the implicit refusal
    assert any("rouvre" in w for w in r.warnings)
    assert not any("confirmatif" in w for w in r.warnings)
    # The day after the legal last day, the letter is confirmative.
    late = compute(Facts(received=D(2026, 3, 20), refusal=D(2026, 6, 23), ack_mentions=True))
    assert late.step("cada_deadline").date == D(2026, 6, 22)
    assert any("confirmatif" in w for w in late.warnings)


def test_12bis_3_a_refusal_with_mentions_after_the_implicit_refusal_cures_nothing():
    after = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 4, 20),
                          refusal_mentions=True))
    assert not after.opposable and not after.step("cada_deadline").opposable
    assert after.step("reasonable_delay") is not None
    assert any("L112-6 al. 2" in w for w in after.warnings)
    # Notified before the implicit refusal is born (on its day, too), it cures.
    for day in (D(2026, 3, 20), D(2026, 4, 1)):
        before = compute(Facts(received=D(2026, 3, 1), refusal=day, refusal_mentions=True))
        assert before.opposable and before.step("reasonable_delay") is None


def test_12bis_4_a_written_confirmation_without_mentions_is_not_opposable():
    r = compute(Facts(received=D(2026, 1, 5), ack_mentions=True, cada_registered=D(2026, 2, 10),
                      confirmation=D(2026, 3, 20), confirmation_mentions=False))
    assert not r.opposable and not r.step("court_deadline").opposable
    bound = r.step("reasonable_delay")
    assert (bound.start, bound.date) == (D(2026, 3, 20), D(2027, 3, 20))
    assert any("R421-5" in w for w in r.warnings)
    # Recorded: an answer refusing after the referral, with --no-mentions.
    events = [Ev(1, "sent", D(2026, 1, 2), channel="email"), Ev(2, "received", D(2026, 1, 5)),
              Ev(3, "ack", D(2026, 1, 6), mentions=True), Ev(4, "referred", D(2026, 2, 8)),
              Ev(5, "registered", D(2026, 2, 10)),
              Ev(6, "answer", D(2026, 3, 20), outcome="refusal", mentions=False)]
    kwargs, result = _stored(events)
    assert kwargs["confirmation_mentions"] is False
    assert result.step("reasonable_delay").date == D(2027, 3, 20)
    with_mentions = compute(Facts(received=D(2026, 1, 5), ack_mentions=True,
                                  cada_registered=D(2026, 2, 10), confirmation=D(2026, 3, 20),
                                  confirmation_mentions=True))
    assert with_mentions.opposable and with_mentions.step("reasonable_delay") is None


def _referred_story(verdict):
    return [Ev(1, "sent", D(2026, 1, 2), channel="email"), Ev(2, "received", D(2026, 1, 5)),
            Ev(3, "referred", D(2026, 2, 8)), Ev(4, "registered", D(2026, 2, 10)),
            Ev(5, "opinion", D(2026, 3, 5), outcome=verdict)]


def _row(kind, start, due, confirmed, legal):
    return Row("2026-0001", "Mairie", "X", None, kind, start, due, D(2026, 2, 5),
               D(2026, 4, 4), confirmed, due, legal, None)


@pytest.mark.parametrize("verdict", ["unfavorable", "moot", "inadmissible", "incompetent"])
def test_12bis_5_an_opinion_that_calls_for_no_compliance_is_never_late(verdict):
    kwargs, result = _stored(_referred_story(verdict))
    kind, start, due = pending_action(result, kwargs)
    assert (kind, start) == ("cada", None)
    row = _row(kind, start, due, D(2026, 4, 10), result.step("court_deadline").date)
    assert classify(row, D(2026, 3, 20), 14) is None  # no "avis en retard"
    soon = classify(row, D(2026, 4, 1), 14)
    assert soon.category == "upcoming" and "avis de la CADA rendu" in soon.message
    assert "attendu" not in soon.message


@pytest.mark.parametrize("verdict", ["favorable", "partial"])
def test_12bis_5_after_a_favourable_opinion_the_administration_answers_it(verdict):
    kwargs, result = _stored(_referred_story(verdict))
    kind, start, due = pending_action(result, kwargs)
    assert (kind, start) == ("compliance", D(2026, 4, 5))  # M(A, 1): R343-3, 2nd sentence
    row = _row(kind, start, due, D(2026, 4, 10), result.step("court_deadline").date)
    soon = classify(row, D(2026, 3, 25), 14)
    assert soon.category == "upcoming"
    assert "réponse de l'administration attendue le 05/04/2026" in soon.message
    assert "avis de la CADA attendu" not in soon.message


def test_12bis_6_between_the_safe_date_and_the_legal_day_the_step_is_still_possible():
    # S2: refusal by silence 15 Apr 2026, CADA safe Sun 14 Jun, legal Mon 15 Jun.
    row = Row("2026-0001", "Mairie", "X", None, "refer", D(2026, 4, 16), D(2026, 6, 14),
              D(2026, 4, 15), D(2026, 6, 14), None, None, D(2026, 6, 15), None)
    on_time = classify(row, D(2026, 6, 14), 14)
    assert (on_time.category, on_time.state, on_time.legal_date) == ("refer", "safe",
                                                                     D(2026, 6, 15))
    past = classify(row, D(2026, 6, 15), 14)
    assert (past.category, past.state, past.date, past.days) == ("refer", "past_safe",
                                                                 D(2026, 6, 15), 0)
    assert "date prudente dépassée" in past.message and "encore possible" in past.message
    assert "expiré" not in past.message
    gone = classify(row, D(2026, 6, 16), 14)
    assert (gone.category, gone.state) == ("cada_expired", "expired")
    assert "expiré le 15/06/2026" in gone.message
    # The one-year parenthesis only when the delays were not opposable.
    assert "inopposables" not in gone.message and "un an" not in gone.message
    bound = classify(row._replace(reasonable_delay_on=D(2027, 4, 15)), D(2026, 6, 16), 14)
    assert "inopposables" in bound.message and "15/04/2027" in bound.message


def test_12bis_7_the_confirmed_refusal_is_a_birth_its_safe_date_is_itself():
    r = compute(Facts(received=D(2026, 1, 5), ack_mentions=True, cada_sent=D(2026, 2, 10),
                      cada_registered=D(2026, 2, 20)))
    confirmed = r.step("confirmed_refusal")
    assert (confirmed.date, confirmed.safe_date) == (D(2026, 4, 20), D(2026, 4, 20))
    assert "recours possible dès le 21/04/2026" in confirmed.explanation
    court = r.step("court_deadline")
    assert court.safe_date == D(2026, 6, 10)  # only the safe court date uses the sending
    assert "depuis l'envoi de la saisine le 10/02/2026" in court.explanation


def test_12bis_8_environment_refusal_between_the_two_implicit_refusals_keeps_the_short_track():
    facts = Facts(regime="environment", received=D(2026, 3, 10), extension=D(2026, 4, 1),
                  refusal=D(2026, 4, 25), ack_mentions=True)
    cada = compute(facts).step("cada_deadline")
    assert cada.date == D(2026, 6, 25)  # from the refusal (legal reading)
    assert cada.safe_date == D(2026, 6, 9)  # from 10 Apr, the one-month track
    assert "10/04/2026" in cada.explanation


def test_12bis_9_unknown_receipt_of_a_letter_assumes_seven_days_for_the_earliest_referral():
    letter = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar"))
    ir = letter.step("implicit_refusal")
    assert ir.date == D(2026, 4, 2)  # deadlines run from the sending
    assert "envoyée (réception inconnue) le 02/03/2026" in ir.explanation
    earliest = letter.step("cada_earliest")
    # The legal day assumes receipt on the day of sending, as the deadlines do; the
    # safe day at sending + 7 (a review found both at the latter: cada refer refused
    # for a week a referral that may well be valid).
    assert (earliest.date, earliest.safe_date) == (D(2026, 4, 3), D(2026, 4, 11))
    assert "réception supposée au plus tard le 09/03/2026" in earliest.explanation
    assert any("avis de réception postal" in w for w in letter.warnings)
    # A referral in between is not refused, but said to be premature if received late.
    early = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar", cada_sent=D(2026, 4, 5)))
    assert any("prématurée si la demande a été reçue tard (refus implicite au plus tard le "
               "09/04/2026)" in w for w in early.warnings)
    assert not any("prématurée" in w for w in compute(Facts(
        sent=D(2026, 3, 2), sent_via="lrar", cada_sent=D(2026, 4, 10))).warnings)
    mail = compute(Facts(sent=D(2026, 3, 2), sent_via="email"))
    assert mail.step("cada_earliest").date == D(2026, 4, 3)
    warning = next(w for w in mail.warnings if "réception inconnue" in w)
    assert "accusé de réception ou d'enregistrement électronique" in warning
    assert "avis de réception" not in warning


def test_12bis_10_a_partial_answer_leaves_pending_documents_to_the_implicit_refusal():
    r = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 3, 15), pending_documents=True))
    earliest = r.step("cada_earliest")
    assert (earliest.date, earliest.safe_date) == (D(2026, 3, 15), D(2026, 4, 3))
    # Recorded: 3 documents, one obtained, one refused → one still pending.
    story = [Ev(1, "sent", D(2026, 2, 26), channel="email"), Ev(2, "received", D(2026, 3, 1)),
             Ev(3, "answer", D(2026, 3, 15), outcome="partial", got="1", refused="2")]
    kwargs, result = _stored(story, documents=3)
    assert kwargs["pending_documents"] is True
    assert result.step("cada_earliest").safe_date == D(2026, 4, 3)
    complete = story[:2] + [Ev(3, "answer", D(2026, 3, 15), outcome="partial", got="1",
                               refused="2,3")]
    kwargs, result = _stored(complete, documents=3)
    assert kwargs["pending_documents"] is False
    assert result.step("cada_earliest").safe_date == D(2026, 3, 15)


def test_12bis_11_territories_have_their_own_calendars_and_codes():
    from cada_tracker.deadlines.calendar import DEPARTMENT_CODES
    from cada_tracker.services.admins import department_from_postcode, normalise_department

    assert department_from_postcode("97133") == "977"
    assert department_from_postcode("97150") == "978"
    assert zone_for("977") == "977" and zone_for("978") == "978" and zone_for("975") == "975"
    assert D(2026, 10, 9) in holidays_of("977", 2026)
    assert D(2026, 5, 28) in holidays_of("978", 2026)
    assert D(2026, 7, 21) not in holidays_of("978", 2026)  # customary, not established
    assert holidays_of("975", 2026) == holidays_of("metropole", 2026)
    # One set of codes for cada deadlines --zone and the directory.
    for code in sorted(DEPARTMENT_CODES):
        assert zone_for(code) in ZONES and normalise_department(code) == code
    for code in ("985", "989", "980"):
        with pytest.raises(ValueError):
            zone_for(code)
    # ... and the same set as the PRADA directory's import.
    from cada_tracker.directory import normalise_department as directory_code

    def accepted(code):
        try:
            return directory_code(code) == code
        except ValueError:
            return False

    candidates = [f"{n:02d}" for n in range(100)] + ["2A", "2B"] + [str(n) for n in
                                                                     range(970, 990)]
    assert {c for c in candidates if accepted(c)} == set(DEPARTMENT_CODES)


@pytest.mark.parametrize("zone", ["986", "987", "988"])
def test_12bis_11_pacific_territories_are_computed_as_metropole_but_indicative(zone):
    facts = Facts(received=D(2025, 9, 1), cada_registered=D(2025, 11, 20), ack_mentions=True)
    here, home = compute(facts, zone=zone), compute(facts, zone="metropole")
    assert [s.date for s in here.steps] == [s.date for s in home.steps]
    assert all(s.indicative for s in here.steps)
    assert any("à titre indicatif" in w for w in here.warnings)


def test_12bis_11_saint_martin_says_that_the_sources_disagree():
    # C 27 Mar 2026 → échéance 27 May, franc: 28 May (abolition day in Saint-Martin).
    facts = Facts(received=D(2026, 1, 2), cada_registered=D(2026, 1, 27), ack_mentions=True)
    court = compute(facts, zone="978").step("court_deadline")
    assert court.date == D(2026, 5, 29)
    assert "27 mai" in court.explanation and "etalab" in court.explanation


def test_12bis_12_inconsistent_dates_are_flagged_and_safe_dates_asserted():
    from cada_tracker.deadlines.engine import _checked

    r = compute(Facts(sent=D(2026, 3, 10), received=D(2026, 3, 5)))
    assert any("Dates incohérentes" in w and "avant l'envoi" in w for w in r.warnings)
    premature = compute(Facts(received=D(2026, 3, 1), cada_registered=D(2026, 3, 25)))
    assert any("prématurée" in w and "R343-1" in w for w in premature.warnings)
    bad = Result(steps=[Step("cada_deadline", D(2026, 5, 1), D(2026, 5, 2), "x", "y")])
    with pytest.raises(AssertionError):
        _checked(bad)
    early = Result(steps=[Step("cada_earliest", D(2026, 5, 2), D(2026, 5, 1), "x", "y")])
    with pytest.raises(AssertionError):
        _checked(early)


def test_12bis_13_a_safe_court_date_on_a_holiday_keeps_its_value_and_gives_the_paper_day():
    # C 25 Oct 2026 → safe court date Fri 25 Dec 2026 (Noël).
    r = compute(Facts(received=D(2026, 6, 1), cada_registered=D(2026, 8, 25), ack_mentions=True))
    court = r.step("court_deadline")
    assert court.safe_date == D(2026, 12, 25)
    assert "Télérecours citoyens" in court.explanation
    assert "au plus tard le jeudi 24/12/2026" in court.explanation


def test_12bis_14_explanations_name_the_event_and_track_of_their_safe_date():
    r = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 4, 20), ack_mentions=True))
    cada = r.step("cada_deadline")
    assert cada.safe_date == D(2026, 5, 31)
    assert "date prudente : depuis le refus implicite du 01/04/2026" in cada.explanation
    bare = compute(Facts(received=D(2026, 3, 1), ack_mentions=True, refusal=D(2026, 3, 20),
                         refusal_mentions=False))
    warning = next(w for w in bare.warnings if "inopposables" in w)
    assert "R421-5 CJA" in warning and "391899" in warning and "L112-6" not in warning


def test_an_extension_in_the_general_regime_prolongs_nothing():
    evs = [Ev(1, "sent", D(2026, 1, 5)), Ev(2, "received", D(2026, 1, 7)),
           Ev(3, "answer", D(2026, 1, 20), outcome="extension")]
    assert derive_status(evs) == "received"
    assert derive_status(evs, "environment") == "extended"
    r = compute(Facts(received=D(2026, 1, 7), extension=D(2026, 1, 20)))
    assert r.step("implicit_refusal").date == D(2026, 2, 7)
    assert any("sans effet hors information environnementale" in w for w in r.warnings)


def test_12bis_1_receipt_unknown_a_refusal_before_the_latest_implicit_refusal_opens_at_once():
    """Sent by registered post on 2 March 2026, receipt unknown: the implicit refusal
    is born between 2 April and 9 April. An express refusal notified on 5 April opens
    the referral that day on every reading: min(IR + 1, N) = N (a review found the
    engine comparing it with the earliest implicit refusal, so cada refer refused a
    referral on 6 April as premature)."""
    r = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar", refusal=D(2026, 4, 5)))
    earliest = r.step("cada_earliest")
    assert (earliest.date, earliest.safe_date) == (D(2026, 4, 3), D(2026, 4, 5))
    assert "date prudente : dès la notification du refus exprès du 05/04/2026" in (
        earliest.explanation)
    # After the latest possible implicit refusal, the letter moves nothing.
    late = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar", refusal=D(2026, 4, 20)))
    assert late.step("cada_earliest").date < D(2026, 4, 20)


def test_12bis_12_a_confirmation_before_the_referral_is_refused_not_computed(cli):
    """It used to give a court deadline before the referral was even sent, exit 0."""
    result = cli("deadlines", "--received", "2026-03-05", "--mentions", "--cada-sent",
                 "2026-05-10", "--confirmation", "2026-02-01")
    assert result.exit_code == 2
    assert "refus confirmé le 01/02/2026, avant l'envoi de la saisine" in result.stderr
    flagged = compute(Facts(received=D(2026, 3, 5), cada_registered=D(2026, 5, 12),
                            confirmation=D(2026, 5, 1)))
    assert any("avant l'enregistrement de la saisine" in w for w in flagged.warnings)
    fine = cli("deadlines", "--received", "2026-03-05", "--mentions", "--cada-sent",
               "2026-05-10", "--confirmation", "2026-06-01")
    assert fine.exit_code == 0, fine.stderr


def test_12bis_7_an_express_confirmation_between_the_two_readings_keeps_the_earlier_safe_date():
    """Referral sent 1 Feb, registered 20 Feb: the silence confirms the refusal on
    20 April, or on 1 April on the earliest reading. An express confirmation on
    10 April moves the legal délai (it comes before 20 April) but, on the earliest
    reading, only reopens a délai already running: the safe date stays 1 June (a
    review found 10 June, and a « nouveau délai » that the numbers did not show)."""
    facts = dict(received=D(2025, 12, 1), cada_sent=D(2026, 2, 1),
                 cada_registered=D(2026, 2, 20))
    court = compute(Facts(**facts, confirmation=D(2026, 4, 10))).step("court_deadline")
    assert (court.date, court.safe_date) == (D(2026, 6, 11), D(2026, 6, 1))
    assert court.safe_start == D(2026, 4, 1)
    assert "depuis l'envoi de la saisine le 01/02/2026" in court.explanation
    assert "nouveau délai" not in court.explanation
    # On the day the silence confirms it, the letter changes nothing and says nothing.
    same_day = compute(Facts(**facts, confirmation=D(2026, 4, 20)))
    same = same_day.step("court_deadline")
    assert (same.date, same.safe_date) == (D(2026, 6, 22), D(2026, 6, 1))
    assert "nouveau délai" not in same.explanation
    assert "aussi confirmé par écrit" in same_day.step("confirmed_refusal").explanation
    # After it, within the délai, R421-2 gives a new délai and the safe date keeps the
    # shorter one.
    later = compute(Facts(**facts, confirmation=D(2026, 5, 4))).step("court_deadline")
    assert (later.date, later.safe_date) == (D(2026, 7, 6), D(2026, 6, 1))
    assert "nouveau délai jusqu'au 06/07/2026 (R421-2)" in later.explanation
    assert (later.start, later.safe_start) == (D(2026, 5, 4), D(2026, 4, 1))


def test_12bis_9_environment_an_extension_valid_only_if_received_late_delays_the_safe_referral():
    """Environmental information sent by registered post on 2 March, receipt unknown,
    extension notified on 5 April. Received on 2 March it came too late (first month
    over on 2 April), received on 9 March it was valid and the refusal is born only on
    9 May. The deadlines keep the earliest reading, but a referral before 10 May may be
    premature (a review found 10 April offered, the extension declared void)."""
    r = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar", regime="environment",
                      extension=D(2026, 4, 5)))
    assert r.step("implicit_refusal").date == D(2026, 4, 2)
    assert r.step("cada_deadline").safe_date == D(2026, 6, 1)
    earliest = r.step("cada_earliest")
    assert (earliest.date, earliest.safe_date) == (D(2026, 4, 3), D(2026, 5, 11))
    assert "avec la prolongation" in earliest.explanation
    assert any("elle ne vaut que si la demande a été reçue moins d'un mois avant elle" in w
               for w in r.warnings)
    # Past the first month on every reading, it is void and says so.
    void = compute(Facts(sent=D(2026, 3, 2), sent_via="lrar", regime="environment",
                         extension=D(2026, 4, 15)))
    assert (void.step("cada_earliest").date, void.step("cada_earliest").safe_date) == (
        D(2026, 4, 3), D(2026, 4, 11))
    assert any("échu le 09/04/2026) : elle ne prolonge pas le délai" in w
               for w in void.warnings)


def test_12bis_10_pending_documents_refused_too_late_for_one_referral_need_two():
    """Environmental information, receipt unknown, extension on 5 April, partial
    refusal on 3 March with documents pending: the refused ones must reach the CADA by
    2 May (safe), the pending ones are refused only on 9 May at the latest. The
    earliest referral used to be 11 May, after the deadline (a review found it): the
    refused documents are referable at once, and a warning gives the second referral."""
    r = compute(Facts(regime="environment", sent=D(2026, 3, 2), sent_via="lrar",
                      extension=D(2026, 4, 5), refusal=D(2026, 3, 3), pending_documents=True))
    earliest, deadline = r.step("cada_earliest"), r.step("cada_deadline")
    assert (earliest.date, earliest.safe_date) == (D(2026, 3, 3), D(2026, 3, 3))
    assert (deadline.date, deadline.safe_date) == (D(2026, 5, 4), D(2026, 5, 2))
    assert earliest.safe_date <= deadline.safe_date
    assert any("une seule saisine ne peut couvrir les deux" in w and "à partir du 11/05/2026" in w
               and "au plus tard le 01/06/2026" in w for w in r.warnings)
    # The extension warning does not send the referral to 9 May: the refusal opened it.
    assert not any("attend le refus implicite prolongé" in w for w in r.warnings)
    # When one referral fits, the pending documents still move the safe day (§12bis-10).
    fits = compute(Facts(received=D(2026, 3, 1), refusal=D(2026, 3, 10), pending_documents=True))
    assert fits.step("cada_earliest").safe_date == D(2026, 4, 3)
    assert not any("seconde saisine" in w for w in fits.warnings)


def test_12bis_7_the_safe_court_date_is_never_before_the_first_day_to_file():
    """Referral sent 1 Feb, registered only 15 Apr: on the earliest reading the court
    délai ran out on 1 June, before the refusal is confirmed (15 June, or 10 June in
    writing). The safe day is then the first day a filing is possible, never a day
    the weekly check would already call passed when the letter arrives."""
    facts = dict(received=D(2025, 12, 1), cada_sent=D(2026, 2, 1),
                 cada_registered=D(2026, 4, 15), ack_mentions=True)
    silent = compute(Facts(**facts)).step("court_deadline")
    assert (silent.date, silent.safe_date) == (D(2026, 8, 17), D(2026, 6, 16))
    assert "avant même le refus confirmé du 15/06/2026" in silent.explanation
    written = compute(Facts(**facts, confirmation=D(2026, 6, 10), confirmation_mentions=True))
    court = written.step("court_deadline")
    assert (court.date, court.safe_date) == (D(2026, 8, 11), D(2026, 6, 11))
    assert court.safe_date > written.step("confirmed_refusal").date


def test_12bis_9_a_referral_before_the_safe_day_is_recorded_with_a_warning(cli, draft_ref):
    """Receipt unknown: cada refer accepts a referral valid if the letter arrived at
    once, and says at once why it may be premature (it used to refuse it)."""
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    premature = cli("refer", draft_ref, "--on", "2026-04-02", "--no-letter")
    assert premature.exit_code == 4 and "Saisine prématurée" in premature.stderr
    early = cli("refer", draft_ref, "--on", "2026-04-05", "--no-letter")
    assert early.exit_code == 0, early.stderr
    assert "Saisine le 05/04/2026, avant la date prudente du 11/04/2026" in early.stderr
    assert "réception supposée au plus tard le 09/03/2026" in early.stderr


def test_12bis_9_a_referral_on_the_safe_day_has_no_warning(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    fine = cli("refer", draft_ref, "--on", "2026-04-11", "--no-letter")
    assert fine.exit_code == 0 and "date prudente" not in fine.stderr
