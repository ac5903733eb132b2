"""Deadline columns (the next action and the legal dates, stored and indexed for
overdue) and the web form of administrations that take requests only that way.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('web_form', sa.String(), nullable=True))

    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_action', sa.String(), nullable=True))
        batch_op.add_column(sa.Column('action_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('action_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('implicit_refusal_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cada_deadline_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_refusal_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('court_deadline_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_request_action_due'), ['action_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_action_from'), ['action_from'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.drop_column('web_form')

    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_action_from'))
        batch_op.drop_index(batch_op.f('ix_request_action_due'))
        batch_op.drop_column('court_deadline_on')
        batch_op.drop_column('confirmed_refusal_on')
        batch_op.drop_column('cada_deadline_on')
        batch_op.drop_column('implicit_refusal_on')
        batch_op.drop_column('action_due')
        batch_op.drop_column('action_from')
        batch_op.drop_column('next_action')

