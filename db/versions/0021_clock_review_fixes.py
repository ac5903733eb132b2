"""The legal clock changed without the schema: recompute what it changed.

Three corrections of the deadline engine (RULES.md §12bis) change dates already
stored with the requests, which the weekly check reads without the engine:

- §12bis-1 and 9, receipt unknown: an express refusal notified before the latest
  possible implicit refusal opens the referral on its notification, and the legal
  earliest referral assumes receipt on the day of sending (the safe one, at the
  latest plausible receipt);
- §12bis-9, receipt unknown, environmental information: an extension valid only
  on the latest reading of the receipt delays the safe earliest referral;
- §12bis-7, after a referral: an express confirmation between the two possible
  confirmed-refusal dates no longer moves the safe court date later, and the safe
  court date is never before the first day a filing is possible;
- §12bis-10: a partial refusal whose pending documents are refused too late for one
  referral no longer gets an earliest referral after its deadline;
- RULES.md §8: the Monday of Pentecost is a holiday in 2005-2007 too.

Nothing in the schema changes. ``cli.common._complete_upgrade`` recomputes, with
the engine, the clock of the pending requests those rules can reach (receipt
unknown, already referred to the CADA, refused in writing, or sent before 2008),
inside the upgrade's transaction.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

def upgrade() -> None:
    """No schema change: the recomputation needs the engine (see the docstring)."""


def downgrade() -> None:
    """Nothing to undo: the recomputed dates are the correct ones on every schema."""
