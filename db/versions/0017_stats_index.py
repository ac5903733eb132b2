"""A covering index for cada stats, ordered by administration.

``cada stats`` sums every request per administration. ``ix_request_outcome`` covers
its columns but starts with the campaign, so over the whole archive SQLite either
read each row from the table through ``ix_request_administration_id`` (whose letter
makes a row span several pages) or sorted the groups in a temporary B-tree. This
index holds the same columns, administration first: the counts are summed in one
ordered pass over it, and the response times are read from it alone
(``services.outcome_query``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

COLUMNS = ("administration_id", "sent_on", "received_on", "implicit_refusal_on",
           "answered_on", "express_refusal", "referred_on", "obtained")


def upgrade() -> None:
    op.create_index('ix_request_stats', 'request', list(COLUMNS))


def downgrade() -> None:
    op.drop_index('ix_request_stats', table_name='request')
