"""The series index ordered by subject, so that a campaign's series is a range.

``services.overdue_query.series_members`` (``cada overdue``, ``cada calendar``)
counts the subjects of each campaign's sent requests, then takes the first request
of each administration among those with the most common subject. ``ix_request_series``
(0015) held those columns in reference order: counting needed a temporary B-tree of
every sent request of the campaigns, and the members were read from the campaign's
whole range of another index. At a million requests that was 0.38 s of CPU, a fifth
of ``cada calendar``. Ordered campaign, subject, administration, the subjects are
counted in one ordered pass and the members are a range of one subject: 0.05 s.
No query needed the reference order, so this index replaces 0015's.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

SENT = "sent_on IS NOT NULL"


def upgrade() -> None:
    op.create_index('ix_request_series_subject', 'request',
                    ['campaign', 'subject', 'administration_id', 'reference', 'sent_on'],
                    sqlite_where=sa.text(SENT), postgresql_where=sa.text(SENT))
    op.drop_index('ix_request_series', table_name='request')


def downgrade() -> None:
    op.create_index('ix_request_series', 'request',
                    ['campaign', 'reference', 'subject', 'administration_id', 'sent_on'],
                    sqlite_where=sa.text(SENT), postgresql_where=sa.text(SENT))
    op.drop_index('ix_request_series_subject', table_name='request')
