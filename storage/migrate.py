"""Apply Alembic migrations programmatically (``odrbot db upgrade`` and ``serve``).

Alembic (with Mako and Pygments behind it) costs about a third of a second to import, more
than the rest of a start on an up-to-date database (issue 8: ready within 1.5 s). So
``upgrade`` first compares the database's ``alembic_version`` with the head declared in
the migration files, read as text, and imports Alembic only when there is work to do.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.uow import Database

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNMENT = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    head = declared_head() if revision == "head" else None
    if head is not None and await current_revision(engine) == head:
        return  # already there: no Alembic import, no transaction

    def run(connection: Connection) -> None:
        from alembic import command

        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


@asynccontextmanager
async def migrated_database(url: str) -> AsyncIterator[Database]:
    """A database at the latest migration, disposed of afterwards (the CLI commands)."""
    db = Database(create_engine(url))
    try:
        await upgrade(db.engine)
        yield db
    finally:
        await db.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision stamped in ``alembic_version``; None on a database never migrated."""
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except DBAPIError:
        return None  # no alembic_version table yet
    return str(rows[0][0]) if len(rows) == 1 else None


def head_revision() -> str | None:
    """The head as Alembic computes it (the authority; imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def declared_head() -> str | None:
    """The head read from the migration files as text: the one revision no other revision
    names as its ``down_revision``; None when that is not exactly one (Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
            found = set(_QUOTED.findall(value))
            (revisions if name == "revision" else parents).update(found)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
