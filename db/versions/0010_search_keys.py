"""Search keys, one body one row, sous-préfectures (issue 15).

Adds ``search_key`` (folded words: no accents, case or punctuation) to
``administration`` (name, city, postal code), ``request`` (reference, subject) and
``requested_document`` (description), and ``administration.name_key`` (the name as
two directories of one body agree on it), indexed with the postal code. Existing
rows are backfilled here, with the same function cada uses on every write
(``cada_tracker.folding``: pure, no ORM), 5,000 rows at a time.

``administration_alias`` holds the other directories' keys of a body merged into
one row. The kind ``sous_prefecture`` is new: rows of kind ``prefecture`` whose name
starts with "Sous-préfecture" get it (letters then say "la sous-préfecture de …").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from cada_tracker import folding

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 5000


def _backfill(table: str, columns: str, keys) -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f"SELECT id, {columns} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last}).all()
        if not rows:
            return
        values = [{"id": row[0], **keys(*row[1:])} for row in rows]
        names = ", ".join(f"{name} = :{name}" for name in values[0] if name != "id")
        bind.execute(sa.text(f"UPDATE {table} SET {names} WHERE id = :id"), values)
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table('administration') as batch:
        batch.add_column(sa.Column('search_key', sa.String(), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('name_key', sa.String(), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('request') as batch:
        batch.add_column(sa.Column('search_key', sa.String(), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('requested_document') as batch:
        batch.add_column(sa.Column('search_key', sa.String(), nullable=False,
                                   server_default=''))
    _backfill('administration', 'name, city, postcode', lambda name, city, postcode: {
        'search_key': folding.admin_search_key(name, city, postcode),
        'name_key': folding.name_key(name)})
    _backfill('request', 'reference, subject', lambda reference, subject: {
        'search_key': folding.request_search_key(reference, subject)})
    _backfill('requested_document', 'description', lambda description: {
        'search_key': folding.fold(description)})
    op.execute("UPDATE administration SET kind = 'sous_prefecture' "
               "WHERE kind = 'prefecture' AND name_key LIKE 'sous prefecture%'")
    op.create_table(
        'administration_alias',
        sa.Column('key', sa.String(), nullable=False),
        sa.Column('administration_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['administration_id'], ['administration.id'],
                                ondelete='CASCADE',
                                name=op.f('fk_administration_alias_administration_id_administration')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_administration_alias')),
    )
    op.create_index(op.f('ix_administration_alias_administration_id'),
                    'administration_alias', ['administration_id'])
    op.create_index(op.f('ix_administration_search_key'), 'administration', ['search_key'])
    op.create_index('ix_administration_name_key', 'administration', ['name_key', 'postcode'])
    op.create_index(op.f('ix_request_search_key'), 'request', ['search_key'])


def downgrade() -> None:
    op.drop_index(op.f('ix_administration_alias_administration_id'),
                  table_name='administration_alias')
    op.drop_table('administration_alias')
    op.execute("UPDATE administration SET kind = 'prefecture' WHERE kind = 'sous_prefecture'")
    op.drop_index(op.f('ix_request_search_key'), table_name='request')
    op.drop_index('ix_administration_name_key', table_name='administration')
    op.drop_index(op.f('ix_administration_search_key'), table_name='administration')
    with op.batch_alter_table('requested_document') as batch:
        batch.drop_column('search_key')
    with op.batch_alter_table('request') as batch:
        batch.drop_column('search_key')
    with op.batch_alter_table('administration') as batch:
        batch.drop_column('search_key')
        batch.drop_column('name_key')
