"""The regulator's figures on a seeded data set with known answers (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.complaint import Filing
from bot.domain.states import Status
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.people import EnterpriseRow
from storage.regulator import Period
from storage.uow import Database

CHINA_MIDNIGHT = timedelta(hours=-8)
TODAY = date(2026, 12, 20)
ENTERPRISES = [
    EnterpriseRow("a", "鞍山X商场", (), None, "辽宁省鞍山市铁东区", "", ()),
    EnterpriseRow("b", "张掖Y超市", (), None, "甘肃省张掖市甘州区", "", ()),
    EnterpriseRow("c", "鞍山Z药房", (), None, "辽宁省鞍山市立山区", "", ()),  # never acts
]
# (enterprise, status, category, nature, channel, day submitted, deadline,
#  first response after hours, resolved on time, settled, rating)
CASES = [
    ("a", "settled", "G01", "quality", "offline", 2, 16, 2, True, True, 5),
    ("a", "closed", "G01", "quality", "offline", 3, 17, 4, True, True, 3),
    ("a", "not_settled", "G03", "contract", "online", 9, 23, 10, False, False, None),
    ("a", "overdue", "G03", "after_sales", "online", 10, 24, None, None, False, None),
    ("a", "withdrawn", "G01", "quality", "offline", 16, 30, None, True, False, None),
    ("b", "submitted", "G04", "safety", "offline", 17, 61, None, None, False, None),
    ("b", "escalated", "G04", "price", "offline", 4, 18, 6, False, False, None),
]


def _at(day: int, hours: float = 10) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC) + CHINA_MIDNIGHT + timedelta(hours=hours)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    await upgrade(database.engine)
    async with database.unit_of_work() as uow:
        for row in ENTERPRISES:
            await uow.enterprises.upsert(row, _at(1))
        owner = await uow.identities.get_or_create("web", "u", _at(1), None)
        for n, (ent, status, cat, nature, channel, day, deadline, first, on_time, settled,
                rating) in enumerate(CASES, 1):
            filing = Filing(ent, "店", "", "商品", None, 100.0, channel, "事实", (), "甲",
                            "13900000000", "鞍山", cat, nature)
            case_id = await uow.complaints.insert(
                filing, reference=f"TS202611{day:02d}{n:06d}", consumer_id=owner.consumer_id,
                status=Status(status), source_channel="web", now=_at(day),
                deadline=date(2026, 11, deadline) if deadline <= 30 else date(2026, 12, deadline - 30))
            values: dict[str, object] = {"rating": rating, "resolved_on_time": on_time}
            if first is not None:
                values["first_response_at"] = _at(day, 10 + first)
                await uow.complaints.add_event(case_id, action="accept", from_status=None,
                                               to_status=Status.ACCEPTED, actor="enterprise",
                                               actor_ref=None, now=_at(day, 10 + first))
                await uow.regulator.mark_active(ent, date(2026, 11, day))
            if on_time is not None:
                values["resolved_at"] = _at(day + 3)
            if settled:
                values["settled_at"] = _at(day + 3)
            await uow.cases.update(case_id, _at(day), **values)
        await uow.commit()
    yield database
    await database.dispose()


def _period(district: str | None = None) -> Period:
    return Period(_at(1, -10), _at(30, 14), district)


async def test_overview_figures(db: Database) -> None:
    async with db.unit_of_work() as uow:
        overview = await uow.regulator.overview(_period(), TODAY)
    assert overview.complaints == 7
    assert (overview.due, overview.on_time) == (5, 2)  # withdrawn and not-yet-due left out
    assert overview.on_time_rate == pytest.approx(0.4)
    assert (overview.with_outcome, overview.settled) == (5, 2)
    assert overview.settlement_rate == pytest.approx(0.4)
    assert (overview.enrolled, overview.active) == (3, 2)
    assert overview.rating_average == 4.0
    assert overview.rated == 2
    assert overview.median_first_response_hours == 5.0  # of 2, 4, 6, 10 hours


async def test_district_filter(db: Database) -> None:
    async with db.unit_of_work() as uow:
        overview = await uow.regulator.overview(_period("辽宁省鞍山市"), TODAY)
        districts = await uow.regulator.counts_by("district", _period())
    assert (overview.complaints, overview.due, overview.on_time) == (5, 4, 2)
    assert (overview.enrolled, overview.active) == (2, 1)
    assert districts == [("辽宁省鞍山市铁东区", 5), ("甘肃省张掖市甘州区", 2)]


async def test_counts_weeks_and_ranking(db: Database) -> None:
    async with db.unit_of_work() as uow:
        categories = await uow.regulator.counts_by("category", _period())
        channels = await uow.regulator.counts_by("channel", _period())
        weeks = await uow.regulator.weekly(_period())
        worst = await uow.regulator.worst_on_time(_period(), TODAY, minimum=1)
    assert categories == [("G01", 3), ("G03", 2), ("G04", 2)]
    assert channels == [("offline", 5), ("online", 2)]
    assert weeks == [(date(2026, 11, 2), 3), (date(2026, 11, 9), 2), (date(2026, 11, 16), 2)]
    assert [(r.enterprise_id, r.on_time, r.due) for r in worst] == [("b", 0, 1), ("a", 2, 4)]
