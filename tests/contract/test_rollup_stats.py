"""The rollup-backed figures (the dashboard, ``odrbot stats``) equal the direct computation
over every complaint, on SQLite and PostgreSQL: for periods of months, 旬 and single days,
with and without a district, and again after new complaints and changes arrive."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.domain.complaint import Filing
from bot.domain.deadlines import CHINA
from bot.domain.states import Status
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.people import EnterpriseRow
from storage.regulator import Overview, Period, RegulatorStats
from storage.rollup_stats import RollupStats, covering
from storage.rollups import bin_middle, rebuild, refresh, span_bin
from storage.tables import metadata
from storage.uow import Database

FIRST_DAY = date(2026, 9, 20)
DISTRICTS = ["辽宁省鞍山市铁东区", "辽宁省鞍山市立山区", "甘肃省张掖市甘州区"]
STATES = ["submitted", "accepted", "negotiating", "proposed", "settled", "not_settled",
          "overdue", "escalated", "withdrawn", "closed"]
PERIODS = [  # (first day, last day, district)
    (date(2026, 9, 1), date(2026, 12, 31), None),
    (date(2026, 9, 23), date(2026, 11, 12), None),
    (date(2026, 10, 1), date(2026, 10, 31), "辽宁省鞍山市"),
    (date(2026, 10, 11), date(2026, 10, 20), "甘肃省"),
    (date(2026, 11, 5), date(2026, 11, 5), None),
    (date(2026, 10, 7), date(2026, 11, 24), "辽宁省鞍山市立山区"),
]
TODAYS = [date(2026, 11, 1), date(2026, 12, 20)]


def _china(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC) + \
        timedelta(minutes=minutes)


async def _add_cases(db: Database, rng: random.Random, count: int, first: int = 0) -> None:
    async with db.unit_of_work() as uow:
        owner = await uow.identities.get_or_create("web", "u", _china(FIRST_DAY, 0), None)
        for n in range(first, first + count):
            day = FIRST_DAY + timedelta(days=rng.randrange(70))
            submitted = _china(day, rng.randrange(1440))
            status = rng.choice(STATES)
            filing = Filing(f"e{rng.randrange(9)}", "店", "", "商品", None, 100.0,
                            rng.choice(["online", "offline"]), "事实", (), "甲", "139", "鞍山",
                            rng.choice(["G01", "G03", "S02"]),
                            rng.choice(["quality", "price", "contract"]))
            case_id = await uow.complaints.insert(
                filing, reference=f"TS{n:014d}", consumer_id=owner.consumer_id,
                status=Status(status), source_channel="web", now=submitted,
                deadline=day + timedelta(days=rng.randrange(5, 20)))
            await uow.cases.update(case_id, submitted, **_outcome(rng, status, submitted))
        await uow.commit()


def _outcome(rng: random.Random, status: str, submitted: datetime) -> dict[str, object]:
    values: dict[str, object] = {}
    if status != "submitted":
        values["first_response_at"] = submitted + timedelta(seconds=rng.randrange(60, 9 * 86400))
    if status in ("settled", "not_settled", "withdrawn", "closed") or rng.random() < 0.1:
        values["resolved_at"] = submitted + timedelta(seconds=rng.randrange(3600, 20 * 86400))
        values["resolved_on_time"] = rng.random() < 0.7
    if status == "settled" or (status == "closed" and rng.random() < 0.5):
        values["settled_at"] = values.get("resolved_at", submitted)
    if status in ("settled", "closed"):
        values["rating"] = rng.choice([None, 1, 3, 5])
    return values


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    await upgrade(database.engine)
    async with database.unit_of_work() as uow:
        for i in range(9):
            await uow.enterprises.upsert(EnterpriseRow(f"e{i}", f"企业{i % 7}", (), None,
                                                       DISTRICTS[i % 3], "", ()),
                                         _china(FIRST_DAY, 0))
        for i in (1, 4, 5):
            await uow.regulator.mark_active(f"e{i}", date(2026, 10, 3 + i))
        await uow.commit()
    await _add_cases(database, random.Random(7), 400)
    yield database
    await database.dispose()


def _period(first: date, last: date, district: str | None) -> Period:
    return Period(_china(first, 0), _china(last + timedelta(days=1), 0), district)


async def _assert_same_figures(db: Database) -> None:
    async with db.unit_of_work() as uow:
        assert await refresh(uow.connection) is not None
        await uow.commit()
    async with db.engine.connect() as conn:
        direct, rolled = RegulatorStats(conn), RollupStats(conn)
        for first, last, district in PERIODS:
            period = _period(first, last, district)
            for today in TODAYS:
                _assert_overviews_match(await rolled.overview(period, today),
                                        await direct.overview(period, today))
                assert await rolled.worst_on_time(period, today, minimum=1, limit=20) == \
                    await direct.worst_on_time(period, today, minimum=1, limit=20)
            for dimension in ("category", "nature", "channel", "district", "enterprise"):
                assert await rolled.counts_by(dimension, period) == \
                    await direct.counts_by(dimension, period)
            assert await rolled.weekly(period) == await direct.weekly(period)


def _assert_overviews_match(rolled: Overview, direct: Overview) -> None:
    exact = ("complaints", "due", "on_time", "with_outcome", "settled", "rated",
             "rating_average", "enrolled", "active")
    assert {k: getattr(rolled, k) for k in exact} == {k: getattr(direct, k) for k in exact}
    for name in ("median_first_response_hours", "median_resolution_hours"):
        got, want = getattr(rolled, name), getattr(direct, name)
        assert (got is None) == (want is None)
        if want is not None:  # bins of at most 1/32, read at their middle; 0.1 h rounding
            assert abs(got - want) <= want / 64 + 1 / 60 + 0.1


async def test_rolled_up_figures_equal_the_direct_ones(db: Database) -> None:
    async with db.engine.connect() as conn:
        year = _period(date(2026, 1, 1), date(2026, 12, 31), None)
        assert (await RollupStats(conn).overview(year, TODAYS[0])).complaints == 0  # not yet
    await _assert_same_figures(db)


async def test_figures_follow_new_complaints_and_changes(db: Database) -> None:
    await _assert_same_figures(db)
    await _add_cases(db, random.Random(8), 60, first=1000)
    async with db.unit_of_work() as uow:  # a case moves on: it is settled and rated
        case = await uow.cases.by_reference("TS00000000001000")
        assert case is not None
        later = case.submitted_at + timedelta(days=2)
        await uow.cases.update(case.id, later, status=Status.SETTLED, resolved_at=later,
                               resolved_on_time=True, settled_at=later, rating=2)
        await uow.commit()
    await _assert_same_figures(db)
    async with db.engine.connect() as conn:
        period = _period(date(2026, 9, 1), date(2026, 12, 31), None)
        assert (await RollupStats(conn).overview(period, TODAYS[1])).complaints == 460


async def test_rebuild_gives_the_same_rows_as_the_refreshes(db: Database) -> None:
    await _assert_same_figures(db)
    period = _period(*PERIODS[1][:2], None)
    async with db.unit_of_work() as uow:
        before = await RollupStats(uow.connection).overview(period, TODAYS[1])
        assert await rebuild(uow.connection) == 400
        assert await RollupStats(uow.connection).overview(period, TODAYS[1]) == before


def test_a_period_is_covered_by_months_then_dekads_then_days() -> None:
    assert covering(date(2026, 9, 23), date(2026, 12, 12)) == [
        ("d", date(2026, 9, 23), date(2026, 9, 30)),
        ("m", date(2026, 10, 1), date(2026, 11, 1)),
        ("t", date(2026, 12, 1), date(2026, 12, 1)),
        ("d", date(2026, 12, 11), date(2026, 12, 12))]
    assert covering(date(2026, 2, 21), date(2026, 2, 28)) == [
        ("t", date(2026, 2, 21), date(2026, 2, 21))]


@pytest.mark.parametrize("minutes", [0, 1, 63, 64, 65, 127, 128, 1000, 14_399, 10**6])
def test_a_span_bin_is_at_most_a_32nd_of_the_value(minutes: int) -> None:
    edge = span_bin(minutes)
    assert edge <= minutes
    assert minutes - edge < max(1, minutes / 32)
    assert abs(bin_middle(edge) - minutes) <= max(0, minutes / 64)


async def test_the_migrations_create_the_rollup_tables_as_declared(db: Database) -> None:
    def differences(connection: Connection) -> list[object]:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
        return [d for d in diffs if "rollup_" in repr(d)]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
