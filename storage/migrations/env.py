"""Alembic environment: run with the connection handed over by storage.migrate."""

from __future__ import annotations

from alembic import context

import storage.telegram_tables  # noqa: F401  (registers its table on the metadata)
from storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `odrbot db upgrade` (storage.migrate)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
