"""Alembic's entry point: iamdesk runs migrations on the connection ``open_database`` holds, inside
its transaction (see ``iamdesk.store.schema.upgrade``); there is no alembic.ini."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
