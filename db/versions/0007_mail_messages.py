"""E-mails sent and received for requests (cada mail).

One row per message, unique on its Message-ID so that a second import adds
nothing. Received messages that match no request keep their raw bytes in the row
until they are assigned; filed messages point at their stored raw file. A partial
index over e-mail events keeps cada overdue off the event table.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

# cada overdue reads e-mail events (bounces, replies to qualify) through this index.
MAIL_EVENTS = sa.text("kind IN ('mail', 'bounce')")


def upgrade() -> None:
    op.create_table(
        'mail_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(), nullable=False),
        sa.Column('direction', sa.String(), nullable=False),
        sa.Column('state', sa.String(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(), nullable=True),
        sa.Column('matched_by', sa.String(), nullable=True),
        sa.Column('subject', sa.String(), nullable=False),
        sa.Column('sender', sa.String(), nullable=False),
        sa.Column('recipients', sa.String(), nullable=False),
        sa.Column('message_date', sa.DateTime(timezone=True), nullable=True),
        sa.Column('in_reply_to', sa.String(), nullable=True),
        sa.Column('sha256', sa.String(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=True),
        sa.Column('raw_file_id', sa.Integer(), nullable=True),
        sa.Column('download_until', sa.Date(), nullable=True),
        sa.Column('download_links', sa.String(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_mail_message_event_id_event')),
        sa.ForeignKeyConstraint(['raw_file_id'], ['stored_file.id'],
                                name=op.f('fk_mail_message_raw_file_id_stored_file')),
        sa.ForeignKeyConstraint(['request_id'], ['request.id'],
                                name=op.f('fk_mail_message_request_id_request'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message')),
        sa.UniqueConstraint('message_id', name=op.f('uq_mail_message_message_id')),
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_request_id'), ['request_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_event_id'), ['event_id'],
                              unique=False)
    op.create_index('ix_event_mail', 'event', ['request_id', 'kind'], unique=False,
                    sqlite_where=MAIL_EVENTS, postgresql_where=MAIL_EVENTS)


def downgrade() -> None:
    op.drop_index('ix_event_mail', table_name='event')
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_message_event_id'))
        batch_op.drop_index(batch_op.f('ix_mail_message_request_id'))
    op.drop_table('mail_message')
