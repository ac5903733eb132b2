"""The newest migration in db/versions (a test checks it against Alembic's head).

Apart from ``storage`` (which imports SQLAlchemy) so that ``sqlite_read`` can compare
a database's revision with it without importing SQLAlchemy.
"""

SCHEMA_HEAD = "0015"
