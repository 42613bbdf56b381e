"""Migrations at start: Alembic runs only when the database is behind (issue 8: start-up)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import pytest

from storage.engine import create_engine
from storage.migrate import current_revision, declared_head, head_revision, upgrade
from storage.uow import Database
from tests.support.server_process import REPO

AT_HEAD_CHECK = """
import asyncio, sys
from storage.engine import create_engine
from storage.migrate import upgrade
asyncio.run(upgrade(create_engine(sys.argv[1])))
print("alembic imported" if "alembic" in sys.modules else "alembic not imported")
"""


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    yield database
    await database.dispose()


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert declared_head() is not None
    assert declared_head() == head_revision()


async def test_a_new_database_is_migrated_to_head(db: Database) -> None:
    assert await current_revision(db.engine) is None
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()


async def test_a_database_behind_head_is_brought_up(db: Database) -> None:
    await upgrade(db.engine, "0003")
    assert await current_revision(db.engine) == "0003"
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()


async def test_a_start_on_a_database_at_head_does_not_load_alembic(
        db: Database, database_url: str) -> None:
    await upgrade(db.engine)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", AT_HEAD_CHECK, database_url, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == 0, err.decode(errors="replace")
    assert out.decode().strip() == "alembic not imported"
    assert await current_revision(db.engine) == head_revision()
