"""Initial schema: administrations, requests, requested documents, events, stored files.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('administration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('addressee', sa.String(), nullable=True),
    sa.Column('street', sa.String(), nullable=False),
    sa.Column('postcode', sa.String(), nullable=False),
    sa.Column('city', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=True),
    sa.Column('prada_name', sa.String(), nullable=True),
    sa.Column('prada_email', sa.String(), nullable=True),
    sa.Column('department', sa.String(), nullable=True),
    sa.Column('source_key', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_administration')),
    sa.UniqueConstraint('source_key', name=op.f('uq_administration_source_key'))
    )
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_administration_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_administration_name'), ['name'], unique=False)

    op.create_table('administration_tag',
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_administration_tag_administration_id_administration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('administration_id', 'tag', name=op.f('pk_administration_tag'))
    )
    with op.batch_alter_table('administration_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_administration_tag_tag'), ['tag'], unique=False)

    op.create_table('request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('mode', sa.String(), nullable=False),
    sa.Column('regime', sa.String(), nullable=False),
    sa.Column('campaign', sa.String(), nullable=True),
    sa.Column('template', sa.String(), nullable=False),
    sa.Column('letter_html', sa.String(), nullable=False),
    sa.Column('profile', sa.String(), nullable=False),
    sa.Column('sender_name', sa.String(), nullable=False),
    sa.Column('sender_address', sa.String(), nullable=False),
    sa.Column('sender_email', sa.String(), nullable=False),
    sa.Column('sender_city', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_request_administration_id_administration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_request_reference'))
    )
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_administration_id'), ['administration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_campaign'), ['campaign'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_status'), ['status'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(), nullable=True),
    sa.Column('tracking', sa.String(), nullable=True),
    sa.Column('outcome', sa.String(), nullable=True),
    sa.Column('mentions', sa.Boolean(), nullable=True),
    sa.Column('got', sa.String(), nullable=True),
    sa.Column('refused', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('text', sa.String(), nullable=True),
    sa.Column('cancels_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cancels_id'], ['event.id'], name=op.f('fk_event_cancels_id_event')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_event_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_request_id'), ['request_id'], unique=False)

    op.create_table('request_tag',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_request_tag_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'tag', name=op.f('pk_request_tag'))
    )
    with op.batch_alter_table('request_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_tag_tag'), ['tag'], unique=False)

    op.create_table('requested_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('outcome', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_requested_document_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requested_document'))
    )
    with op.batch_alter_table('requested_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requested_document_request_id'), ['request_id'], unique=False)

    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(), nullable=False),
    sa.Column('path', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_stored_file_event_id_event')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_stored_file_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_request_id'))

    op.drop_table('stored_file')
    with op.batch_alter_table('requested_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requested_document_request_id'))

    op.drop_table('requested_document')
    with op.batch_alter_table('request_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_tag_tag'))

    op.drop_table('request_tag')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_request_id'))

    op.drop_table('event')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_status'))
        batch_op.drop_index(batch_op.f('ix_request_campaign'))
        batch_op.drop_index(batch_op.f('ix_request_administration_id'))

    op.drop_table('request')
    with op.batch_alter_table('administration_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_administration_tag_tag'))

    op.drop_table('administration_tag')
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_administration_name'))
        batch_op.drop_index(batch_op.f('ix_administration_department'))

    op.drop_table('administration')
