"""Fixtures of the storage contract tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    """A migrated SQLite database on the inline engine."""
    database = Database(create_engine(sqlite_url))
    await upgrade(database.engine)
    yield database
    await database.dispose()
