"""The legal clock of a request (pure: ``today`` and the calendar are parameters).

>>> from datetime import date
>>> from cada_tracker.deadlines import Facts, compute
>>> result = compute(Facts(received=date(2026, 3, 15)))
>>> [(s.key, s.date.isoformat()) for s in result.steps][:3]
[('implicit_refusal', '2026-04-15'), ('cada_earliest', '2026-04-16'), ('cada_deadline', '2026-06-15')]

A request received on 15 March 2026 is refused by silence on 15 April (R311-13,
never shifted); the CADA can be seized from 16 April, until 15 June (14 June is a
Sunday: art. 642 CPC; the safe date is 14 June).
"""

from cada_tracker.deadlines.calendar import ZONES, is_working_day, next_working_day, zone_for
from cada_tracker.deadlines.engine import Result, Step, compute, result_as_dict
from cada_tracker.deadlines.facts import Facts, inconsistencies
from cada_tracker.deadlines.rules import add_months

__all__ = ["ZONES", "Facts", "Result", "Step", "add_months", "compute", "inconsistencies",
           "is_working_day", "next_working_day", "result_as_dict", "zone_for"]
