"""Alembic environment for cada: the schema's history.

cada runs migrations itself (``storage.open_db``) and hands Alembic an open
connection in ``config.attributes["connection"]``; every step runs in that one
transaction. SQLite needs batch mode to alter tables.
"""

from alembic import context

import cada_tracker.models  # noqa: F401  (registers the tables)
from sqlmodel import SQLModel

from cada_tracker.storage import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        url = config.get_main_option("sqlalchemy.url")
        engine = create_engine(url)
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("cada does not generate offline SQL scripts.")
run_migrations()
