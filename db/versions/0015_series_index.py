"""A covering partial index for the series query of cada overdue and cada calendar.

Both commands ask, for the campaigns with a pending grouped referral, which sent
requests form the series (``services.overdue_query.series_members``): the campaign,
reference, subject and administration of every sent request of those campaigns,
in reference order. Through ``ix_request_campaign`` each row was read from the
table, whose letter makes a row span several pages, then sorted: at 100,000
requests about 0.12 s of a 0.6 s command (29,000 rows). This index holds those
columns (and sent_on, which its condition names) for sent requests only, in the
query's order, so the table is not read.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SENT = "sent_on IS NOT NULL"


def upgrade() -> None:
    op.create_index('ix_request_series', 'request',
                    ['campaign', 'reference', 'subject', 'administration_id', 'sent_on'],
                    sqlite_where=sa.text(SENT), postgresql_where=sa.text(SENT))


def downgrade() -> None:
    op.drop_index('ix_request_series', table_name='request')
