"""Counting rules as data: one small named value per step, with its article.

Months are counted "de quantième à quantième", clamped to the month's last day,
and always from the original date (never chained): see ``add_months``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(d: date, n: int) -> date:
    """Same day number ``n`` months later, or the month's last day (31/01 + 1 = 28/02)."""
    return d + relativedelta(months=n)


@dataclass(frozen=True)
class Rule:
    key: str
    months: int
    basis: str
    extended: bool  # extended to the next working day (art. 642 CPC)?
    franc: bool = False  # délai franc: the last day is the day after the échéance
    indicative: bool = False


IMPLICIT_REFUSAL = Rule("implicit_refusal", 1, "R*311-12 et R311-13 CRPA", extended=False)
IMPLICIT_REFUSAL_ENV = Rule("implicit_refusal", 1, "R124-1 C. env.", extended=False)
IMPLICIT_REFUSAL_ENV_EXTENDED = Rule("implicit_refusal", 2, "R124-1 C. env. (prolongation)",
                                     extended=False)
IMPLICIT_REFUSAL_ARCHIVES = Rule("implicit_refusal", 2, "L213-3 C. patrimoine", extended=False)
CADA_EARLIEST = Rule("cada_earliest", 0, "R343-1 CRPA", extended=False)
CADA_DEADLINE = Rule("cada_deadline", 2, "L342-1 et R343-1 CRPA ; art. 642 CPC", extended=True)
CADA_OPINION_DUE = Rule("cada_opinion_due", 1, "R343-3 CRPA", extended=False, indicative=True)
CONFIRMED_REFUSAL = Rule("confirmed_refusal", 2, "R*343-4 et R343-5 CRPA", extended=False)
COURT_DEADLINE = Rule("court_deadline", 2, "R421-1 et R421-2 CJA ; art. 642 CPC",
                      extended=True, franc=True)
REASONABLE_DELAY = Rule("reasonable_delay", 12,
                        "L112-6 CRPA ; R421-5 CJA ; CE 13 juil. 2016 Czabaj ; CE 11 mars 2024 "
                        "n° 488227", extended=False)
