"""Indexes of the orders cada list sorts by: a page is read along an index.

``cada list`` reads one page (``LIMIT``/``OFFSET``) in the order ``--sort`` asks
for, each order ending with the reference. Without an index of that order the
database reads and sorts every request (at 100,000 requests, rows carrying their
letter) to show fifty; with one it reads the page's entries. ``--sort reference``
already has the unique index of ``reference``; ``--sort admin`` goes along the
administration's name, then these requests by ``(administration_id, reference)``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_request_list_created': ['created_at', 'reference'],
    'ix_request_list_sent': ['sent_on', 'reference'],
    'ix_request_list_status': ['status', 'reference'],
    'ix_request_list_deadline': ['action_due', 'reference'],
    'ix_request_list_admin': ['administration_id', 'reference'],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():  # indexes only: the table is not rebuilt
        op.create_index(name, 'request', columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='request')
