"""What the statistics read, stored with each request, and the index that covers it.

``cada stats`` and ``cada campaign list/show`` summed figures read from every event
of every request (19 s and 443 MB at 100,000 requests). Like the legal clock
(0002/0003), what they need is now derived from the events when they change
(``services.lifecycle.derive_summary``) and stored in the request row:
``answered_on`` (the first answer that decides something), ``express_refusal``,
``referred_on`` (first referral to the CADA), ``closed_on`` and ``closed_reason``
(the first closing), ``obtained`` (a document obtained, or closed as obtained).
``ix_request_outcome`` covers every column the aggregates read, campaign first, so
that neither a whole archive nor one campaign reads the table (whose letters make a
row span several pages); ``ix_event_referred`` finds a campaign's grouped referral
without reading every event.

The rows already there are filled here, in SQL, from their events (the events that
count: not cancel events, not cancelled), as ``derive_summary`` does.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COLUMNS = ("campaign", "administration_id", "sent_on", "received_on", "implicit_refusal_on",
           "answered_on", "express_refusal", "referred_on", "obtained", "profile", "subject")

# An event of the request being updated that counts (lifecycle.active).
_LIVE = ("e.request_id = request.id AND NOT EXISTS (SELECT 1 FROM event AS c "
         "WHERE c.request_id = e.request_id AND c.kind = 'cancel' AND c.cancels_id = e.id)")
_FIRST_CLOSE = (f"FROM event AS e WHERE {_LIVE} AND e.kind = 'close' "
                "ORDER BY e.\"on\", e.id LIMIT 1")
_BACKFILL = f"""
UPDATE request SET
  answered_on = (SELECT MIN(e."on") FROM event AS e WHERE {_LIVE} AND e.kind = 'answer'
                 AND e.outcome IN ('full', 'partial', 'refusal', 'fees')),
  express_refusal = EXISTS (SELECT 1 FROM event AS e WHERE {_LIVE} AND e.kind = 'answer'
                 AND (e.outcome = 'refusal' OR (e.outcome = 'partial'
                      AND e.refused IS NOT NULL AND e.refused <> ''))),
  referred_on = (SELECT MIN(e."on") FROM event AS e WHERE {_LIVE} AND e.kind = 'referred'),
  closed_on = (SELECT e."on" {_FIRST_CLOSE}),
  closed_reason = (SELECT e.reason {_FIRST_CLOSE}),
  obtained = (EXISTS (SELECT 1 FROM requested_document AS d
                      WHERE d.request_id = request.id AND d.outcome = 'obtained')
              OR COALESCE((SELECT e.reason {_FIRST_CLOSE}), '') = 'obtained')
"""


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the table: dropping the old request table
    # would cascade to its events).
    op.add_column('request', sa.Column('answered_on', sa.Date(), nullable=True))
    op.add_column('request', sa.Column('express_refusal', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('request', sa.Column('referred_on', sa.Date(), nullable=True))
    op.add_column('request', sa.Column('closed_on', sa.Date(), nullable=True))
    op.add_column('request', sa.Column('closed_reason', sa.String(), nullable=True))
    op.add_column('request', sa.Column('obtained', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.execute(_BACKFILL)
    op.create_index('ix_request_outcome', 'request', list(COLUMNS))
    op.create_index('ix_event_referred', 'event', ['request_id', 'on', 'outcome'],
                    sqlite_where=sa.text("kind = 'referred'"),
                    postgresql_where=sa.text("kind = 'referred'"))


def downgrade() -> None:
    op.drop_index('ix_event_referred', table_name='event')
    op.drop_index('ix_request_outcome', table_name='request')
    with op.batch_alter_table('request') as batch:
        for column in ('obtained', 'closed_reason', 'closed_on', 'referred_on',
                       'express_refusal', 'answered_on'):
            batch.drop_column(column)
