"""Alembic environment of the app-state database.

:func:`sujuva.store.appdb.upgrade_database` passes an open connection through
``config.attributes["connection"]``; without one (the ``alembic`` command line with a
configuration whose ``script_location`` is this folder) the engine of the current settings
is used. Offline mode renders SQL for ``sqlalchemy.url`` or the settings' URL.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from sujuva.store.appdb import Base, UtcDateTime, database_url, engine_for


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes the portable column type, never an import of the app's decorator."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        compare_type=True,
    )


def run_offline() -> None:
    """Emit the migrations as SQL without a database."""
    url = context.config.get_main_option("sqlalchemy.url") or database_url()
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the given connection, or on the settings' database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine_for().connect() as own:
        _configure(own)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
