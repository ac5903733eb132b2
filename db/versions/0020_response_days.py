"""The response time of each answered request, stored with what the statistics read.

``cada stats`` and ``cada campaign`` give the median number of days from the
request's receipt (else its sending) to its first answer. They computed that
difference for every answered request on each run, from three dates stored as text
on SQLite: at a million requests, two ``julianday`` parses for each of 680,000
rows, 0.17 s of the 0.46 s the sums take. The difference is now stored with the
other figures derived from the events when they change
(``services.lifecycle.derive_summary``): ``response_days``, null while no answer
decides anything (or when the request has neither a sending nor a receipt).

The rows already there are filled here, in SQL, with the formula the statistics
used, so that no figure changes. The two covering indexes the aggregates read hold
it: ``ix_request_stats`` replaces the receipt date by it (it needed the date only
for the difference), ``ix_request_outcome`` adds it (its other readers still use
the receipt date).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OUTCOME_BEFORE = ("campaign", "administration_id", "sent_on", "received_on",
                  "implicit_refusal_on", "answered_on", "express_refusal", "referred_on",
                  "obtained", "profile", "subject")
OUTCOME_AFTER = (*OUTCOME_BEFORE, "response_days")
STATS_BEFORE = ("administration_id", "sent_on", "received_on", "implicit_refusal_on",
                "answered_on", "express_refusal", "referred_on", "obtained")
STATS_AFTER = ("administration_id", "sent_on", "implicit_refusal_on", "answered_on",
               "express_refusal", "referred_on", "obtained", "response_days")

# The difference services.outcome_query computed before this revision, in days.
_DAYS = {"sqlite": "CAST(julianday(answered_on) - julianday(COALESCE(received_on, sent_on)) "
                   "AS INTEGER)",
         "postgresql": "(answered_on - COALESCE(received_on, sent_on))"}


def _replace_index(name: str, columns: tuple[str, ...]) -> None:
    op.drop_index(name, table_name='request')
    op.create_index(name, 'request', list(columns))


def upgrade() -> None:
    op.add_column('request', sa.Column('response_days', sa.Integer(), nullable=True))
    days = _DAYS.get(op.get_bind().dialect.name, _DAYS["postgresql"])
    op.execute(f"UPDATE request SET response_days = {days} WHERE answered_on IS NOT NULL")
    _replace_index('ix_request_stats', STATS_AFTER)
    _replace_index('ix_request_outcome', OUTCOME_AFTER)


def downgrade() -> None:
    _replace_index('ix_request_outcome', OUTCOME_BEFORE)
    _replace_index('ix_request_stats', STATS_BEFORE)
    # A plain DROP COLUMN (SQLite 3.35), not a batch copy of the table: dropping the
    # old request table would cascade to its events.
    op.drop_column('request', 'response_days')
