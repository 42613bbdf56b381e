"""The rollups' refresh under load: two refreshes at once on PostgreSQL count every change
once; the background refresher drains a backlog in batches and says as of when; an
enterprise that moves district moves its figures."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.states import Status
from bot.refresher import drain
from storage.people import EnterpriseRow
from storage.rollups import as_of, refresh
from storage.tables import complaints, rollup_dirty
from storage.uow import Database
from tests.contract.test_rollup_stats import (
    DISTRICTS,
    FIRST_DAY,
    _add_cases,
    _assert_same_figures,
    _china,
    db,  # noqa: F401 (the fixture)
)

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


async def _marks(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(rollup_dirty)))
                   .scalar_one())


async def _settle(database: Database, reference: str, rating: int) -> None:
    async with database.unit_of_work() as uow:
        case = await uow.cases.by_reference(reference)
        assert case is not None
        later = case.submitted_at + timedelta(days=1)
        await uow.cases.update(case.id, later, status=Status.SETTLED, resolved_at=later,
                               resolved_on_time=True, settled_at=later, rating=rating)
        await uow.commit()


async def _refresh(database: Database) -> int | None:
    async with database.unit_of_work() as uow:
        taken = await refresh(uow.connection)
        await uow.commit()
    return taken


async def test_two_refreshes_at_once_count_every_change_once(db: Database) -> None:  # noqa: F811
    await _assert_same_figures(db)
    await _add_cases(db, random.Random(9), 80, first=2000)
    for n in range(2000, 2030):
        await _settle(db, f"TS{n:014d}", 1 + n % 5)
    marks = await _marks(db)
    taken = await asyncio.gather(_refresh(db), _refresh(db))
    assert sum(t or 0 for t in taken) == marks  # each mark taken by exactly one of them
    assert await _marks(db) == 0
    await _assert_same_figures(db)


async def test_a_refresh_waits_for_the_one_holding_the_lock(db: Database,  # noqa: F811
                                                            database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: two refreshes cannot overlap")
    await _assert_same_figures(db)
    await _add_cases(db, random.Random(10), 40, first=3000)
    async with db.unit_of_work() as first:
        # 80 marks: each case was inserted, then updated. This one holds the lock, uncommitted.
        assert await refresh(first.connection) == 80
        async with db.unit_of_work() as other:
            assert await refresh(other.connection, wait=False) is None  # skips its turn
        await _settle(db, "TS00000000003000", 4)  # a change while the first one runs
        second = asyncio.create_task(_refresh(db))  # waits for the lock
        await first.commit()
    assert await second == 1
    await _assert_same_figures(db)


async def test_the_refresher_drains_a_backlog_in_batches(db: Database) -> None:  # noqa: F811
    await _add_cases(db, random.Random(11), 50, first=4000)
    marks = await _marks(db)
    async with db.engine.connect() as conn:
        assert await as_of(conn) is None
    assert await drain(db, NOW, batch=64) == marks
    async with db.engine.connect() as conn:
        assert await as_of(conn) == NOW
    assert await drain(db, NOW + timedelta(minutes=1), batch=64) == 0
    async with db.engine.connect() as conn:
        assert await as_of(conn) == NOW  # nothing new: the mark stays
    await _assert_same_figures(db)


async def test_an_enterprise_moving_district_moves_its_figures(db: Database  # noqa: F811
                                                               ) -> None:
    await _assert_same_figures(db)
    async with db.unit_of_work() as uow:
        moved = EnterpriseRow("e0", "企业0", (), None, DISTRICTS[2], "", ())
        assert not await uow.enterprises.upsert(moved, _china(FIRST_DAY, 0))
        same = EnterpriseRow("e1", "企业1改名", (), None, DISTRICTS[1], "", ())
        assert not await uow.enterprises.upsert(same, _china(FIRST_DAY, 0))
        await uow.commit()
    async with db.engine.connect() as conn:
        cases_of_e0 = (await conn.execute(select(func.count()).select_from(complaints).where(
            complaints.c.enterprise_id == "e0"))).scalar_one()
    assert cases_of_e0 > 0
    assert await _marks(db) == cases_of_e0  # e0's complaints; renaming e1 marks nothing
    await _assert_same_figures(db)


async def test_the_served_application_takes_changes_in_by_itself(
        sqlite_url: str, tmp_path: Path) -> None:
    """Inside the running application (not a test calling ``drain``), a new complaint's
    mark is taken in within a refresher pass, with no dashboard page asked for."""
    from bot.refresher import EVERY
    from tests.support.app import app_config, running_app
    from tests.support.clock import FakeClock
    from tests.unit.test_odr_clock import World

    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        world = World(parts, clock)
        await world.file()
        assert await _marks(parts.db) > 0
        for _ in range(int((EVERY + 5) / 0.1)):
            if await _marks(parts.db) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _marks(parts.db) == 0
        async with parts.db.engine.connect() as conn:
            assert await as_of(conn) is not None
