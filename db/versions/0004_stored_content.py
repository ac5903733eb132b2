"""Stored files in the shared database: content by SHA-256, in 1 MiB chunks.

With PostgreSQL, a collective's members each kept the files they recorded in their
own data folder: nobody else could open or check them. The bytes now live in
``stored_content`` / ``stored_chunk`` (SQLite creates the tables and keeps using its
private folder). On PostgreSQL this migration copies the files of ``stored_file``
that are in the data folder of the member who runs it, a chunk at a time, and
counts them in ``config.attributes["moved_files"]`` (moved, missing here).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import hashlib
from pathlib import Path

from alembic import context, op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CHUNK = 1 << 20


def upgrade() -> None:
    op.create_table(
        'stored_content',
        sa.Column('sha256', sa.String(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_content')),
    )
    op.create_table(
        'stored_chunk',
        sa.Column('sha256', sa.String(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['sha256'], ['stored_content.sha256'],
                                name=op.f('fk_stored_chunk_sha256_stored_content'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('sha256', 'seq', name=op.f('pk_stored_chunk')),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        data_dir = context.config.attributes.get('data_dir')
        context.config.attributes['moved_files'] = _move_files(bind, data_dir)


def _move_files(bind, data_dir) -> tuple[int, int]:
    moved = missing = 0
    rows = bind.execute(sa.text('SELECT DISTINCT path, sha256 FROM stored_file')).all()
    for path, sha in rows:
        if bind.execute(sa.text('SELECT 1 FROM stored_content WHERE sha256 = :s'),
                        {'s': sha}).first():
            continue
        source = Path(data_dir) / path if data_dir else None
        if source is None or not source.is_file():
            missing += 1
            continue
        digest, size = hashlib.sha256(), 0
        bind.execute(sa.text("INSERT INTO stored_content (sha256, size, created_at) "
                             "VALUES (:s, 0, now())"), {'s': sha})
        with open(source, 'rb') as fh:
            seq = 0
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                bind.execute(sa.text('INSERT INTO stored_chunk (sha256, seq, data) '
                                     'VALUES (:s, :n, :d)'), {'s': sha, 'n': seq, 'd': chunk})
                seq += 1
        if digest.hexdigest() != sha:  # altered since it was recorded: db check will say so
            bind.execute(sa.text('DELETE FROM stored_content WHERE sha256 = :s'), {'s': sha})
            missing += 1
            continue
        bind.execute(sa.text('UPDATE stored_content SET size = :n WHERE sha256 = :s'),
                     {'n': size, 's': sha})
        moved += 1
    return moved, missing


def downgrade() -> None:
    op.drop_table('stored_chunk')
    op.drop_table('stored_content')
