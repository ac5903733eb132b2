"""The legal last day of the pending action, and the one-year bound when the delays
are not opposable: ``cada overdue`` says "date prudente dépassée, dernier jour légal
le X" between the safe date and the legal one, and "expiré" only after it
(RULES.md §12bis-6). The covering index gains both columns.

The stored clock of every request is recomputed after this upgrade (the engine
changed with §12bis): see ``services.clock.CLOCK_COLUMNS_SINCE``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PENDING = sa.text('next_action IS NOT NULL')
COLUMNS_0003 = ['action_from', 'action_due', 'confirmed_refusal_on', 'next_action',
                'reference', 'administration_id', 'subject', 'campaign',
                'implicit_refusal_on', 'cada_deadline_on', 'court_deadline_on']


def upgrade() -> None:
    op.drop_index('ix_request_pending_clock', table_name='request')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_due_legal', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reasonable_delay_on', sa.Date(), nullable=True))
    op.create_index(
        'ix_request_pending_clock', 'request',
        COLUMNS_0003 + ['action_due_legal', 'reasonable_delay_on'], unique=False,
        sqlite_where=PENDING, postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index('ix_request_pending_clock', table_name='request')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_column('reasonable_delay_on')
        batch_op.drop_column('action_due_legal')
    op.create_index('ix_request_pending_clock', 'request', COLUMNS_0003, unique=False,
                    sqlite_where=PENDING, postgresql_where=PENDING)
