"""Full-text search over every request's text and stored files; campaign fields.

``search_entry`` holds the text to search: one row per subject, requested
document, event text, letter, and per chunk of a stored file's extracted text
(``status`` says whether the extraction worked). It is kept in step by the
command that writes (same transaction) and rebuilt by ``cada db reindex``.

- SQLite: an FTS5 index over it (external content, ``unicode61 remove_diacritics
  2``: French words match with or without accents), kept in step by triggers.
- PostgreSQL: a GIN index on ``to_tsvector('cada_fr', body)``; ``cada_fr`` is the
  ``french`` configuration, with ``unaccent`` before stemming when the extension
  can be created (it is a trusted extension: the database owner may).

``campaign_field`` / ``campaign_value``: what a campaign records from the
documents (number of cameras, vendor...), typed, one value per request and field.

The index is filled after the upgrade by cada itself (text extraction runs in a
subprocess with limits, which a migration must not do).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

FTS_TRIGGERS = {
    'search_entry_ai': "AFTER INSERT ON search_entry BEGIN "
                       "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
    'search_entry_ad': "AFTER DELETE ON search_entry BEGIN "
                       "INSERT INTO search_fts(search_fts, rowid, body) "
                       "VALUES ('delete', old.id, old.body); END",
    'search_entry_au': "AFTER UPDATE ON search_entry BEGIN "
                       "INSERT INTO search_fts(search_fts, rowid, body) "
                       "VALUES ('delete', old.id, old.body); "
                       "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
}


def upgrade() -> None:
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('chunk', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(), nullable=False),
        sa.Column('status', sa.String(), nullable=False),
        sa.Column('body', sa.String(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['request.id'], ondelete='CASCADE',
                                name=op.f('fk_search_entry_request_id_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
    )
    op.create_index(op.f('ix_search_entry_request_id'), 'search_entry', ['request_id'])
    op.create_index('ix_search_entry_source', 'search_entry', ['source', 'source_id'])
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_entry', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif dialect == 'postgresql':
        op.execute("CREATE TEXT SEARCH CONFIGURATION cada_fr (COPY = pg_catalog.french)")
        bind = op.get_bind()
        savepoint = bind.begin_nested()
        try:
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
            bind.exec_driver_sql(
                "ALTER TEXT SEARCH CONFIGURATION cada_fr ALTER MAPPING FOR "
                "hword, hword_part, word WITH unaccent, french_stem")
            savepoint.commit()
        except sa.exc.DBAPIError:
            savepoint.rollback()  # no unaccent here: stemming only, accents must match
        op.execute("CREATE INDEX ix_search_entry_fts ON search_entry "
                   "USING gin (to_tsvector('cada_fr'::regconfig, body))")

    op.create_table(
        'campaign_field',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign', sa.String(), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('kind', sa.String(), nullable=False),
        sa.Column('choices', sa.String(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_field')),
        sa.UniqueConstraint('campaign', 'name', name='uq_campaign_field_campaign_name'),
    )
    op.create_index(op.f('ix_campaign_field_campaign'), 'campaign_field', ['campaign'])
    op.create_table(
        'campaign_value',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['request.id'], ondelete='CASCADE',
                                name=op.f('fk_campaign_value_request_id_request')),
        sa.ForeignKeyConstraint(['field_id'], ['campaign_field.id'], ondelete='CASCADE',
                                name=op.f('fk_campaign_value_field_id_campaign_field')),
        sa.PrimaryKeyConstraint('request_id', 'field_id', name=op.f('pk_campaign_value')),
    )


def downgrade() -> None:
    op.drop_table('campaign_value')
    op.drop_index(op.f('ix_campaign_field_campaign'), table_name='campaign_field')
    op.drop_table('campaign_field')
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_entry')
    if dialect == 'postgresql':
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS cada_fr")
