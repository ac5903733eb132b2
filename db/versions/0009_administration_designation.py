"""The administration's designation: its name as a French noun phrase with its article.

Letters said "opposé par Mairie de Villeurbanne"; they now say "opposé par la commune
de Villeurbanne". The phrase is derived from the kind and the name when an
administration is imported or added (cada_tracker.designation) and can be edited
(cada admin edit --designation). Existing rows keep NULL, which letters read as
"derive it now": no data is rewritten by this migration.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('administration') as batch:
        batch.add_column(sa.Column('designation', sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('administration') as batch:
        batch.drop_column('designation')
