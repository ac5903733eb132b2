"""File sizes in 64 bits on PostgreSQL: an attachment of 2 GiB or more.

``stored_file.size`` (0001) and ``mail_message.size`` (0007) were ``INTEGER``: on
PostgreSQL, 32 bits, so attaching a file of 2 GiB or more (a video-surveillance
recording) failed with "integer out of range" although ``stored_content.size``
(0004) is ``BIGINT``. They become ``BIGINT``; the values are kept as they are.

SQLite's ``INTEGER`` already holds 64 bits: nothing changes there, and the tables
are not rebuilt (a batch rebuild of a table other tables reference puts their rows
at risk when foreign keys are on, for nothing).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = (("stored_file", "size"), ("mail_message", "size"))


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer(),
                        existing_nullable=False)


def downgrade() -> None:
    if not _postgresql():
        return
    for table, column in COLUMNS:  # fails, changing nothing, if a size needs 64 bits
        op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger(),
                        existing_nullable=False)
