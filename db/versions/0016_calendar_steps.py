"""What cada calendar writes, stored with each request, and the index that covers it.

Each calendar event gives its step's safe date, legal date and articles. Two of
them were not stored: the safe date of the implicit refusal (earlier than the legal
one when an environmental extension is notified, R124-1 C. env.) and the legal last
day of the referral to the CADA once it is no longer the pending step. The
calendar recomputed the whole legal chain of every pending request for them (31 s
and 320 MB at 100,000 requests); they are now stored when events change
(``services.clock.refresh_deadlines``), like the rest of the clock.

The rows already there are filled here where SQL can tell: outside the
environmental regime the implicit refusal has one date; while the referral is the
pending step its legal last day is ``action_due_legal``. The others are left NULL:
the pending ones among them (an environmental request, a referral already made)
are recomputed by the engine after the upgrade
(``services.clock.refresh_missing_steps``); a request no longer pending gets them
when its events next change (nothing reads them for it: the calendar shows pending
requests only).

``ix_request_calendar`` covers every column the calendar reads, for pending
requests only, in the order it reads them (campaign, then reference: a series is
grouped in one pass).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

PENDING = "next_action IS NOT NULL"
COLUMNS = ("campaign", "reference", "administration_id", "subject", "regime", "next_action",
           "action_due", "action_due_legal", "implicit_refusal_on", "implicit_refusal_safe_on",
           "cada_deadline_on", "cada_deadline_legal_on", "confirmed_refusal_on",
           "court_deadline_on")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the table: dropping the old request table
    # would cascade to its events).
    op.add_column('request', sa.Column('implicit_refusal_safe_on', sa.Date(), nullable=True))
    op.add_column('request', sa.Column('cada_deadline_legal_on', sa.Date(), nullable=True))
    op.execute("UPDATE request SET implicit_refusal_safe_on = implicit_refusal_on "
               "WHERE implicit_refusal_on IS NOT NULL AND regime <> 'environment'")
    op.execute("UPDATE request SET cada_deadline_legal_on = action_due_legal "
               "WHERE cada_deadline_on IS NOT NULL AND next_action = 'refer'")
    op.create_index('ix_request_calendar', 'request', list(COLUMNS),
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_index('ix_request_calendar', table_name='request')
    with op.batch_alter_table('request') as batch:
        batch.drop_column('cada_deadline_legal_on')
        batch.drop_column('implicit_refusal_safe_on')
