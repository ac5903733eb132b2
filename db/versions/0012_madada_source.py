"""Requests imported from an Alaveteli site (Ma Dada): the public record's URL.

``request.source_url`` is the request's page on the site it was made on
(``https://madada.fr/request/<url_title>``): shown by ``cada show``, quoted by the
referral letter as the request's public record, and the key that makes ``cada
madada import`` update instead of duplicating. ``event.source_key`` names the
Alaveteli event an event was imported from (``alaveteli:<event id>``), so that a
second import adds only what is new. Both are NULL for everything typed in.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('request') as batch:
        batch.add_column(sa.Column('source_url', sa.String(), nullable=True))
        batch.create_index('ix_request_source_url', ['source_url'], unique=True)
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('source_key', sa.String(), nullable=True))
        batch.create_index('ix_event_source', ['request_id', 'source_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.drop_index('ix_event_source')
        batch.drop_column('source_key')
    with op.batch_alter_table('request') as batch:
        batch.drop_index('ix_request_source_url')
        batch.drop_column('source_url')
