"""Statistics: the queries (on SQLite and PostgreSQL; the regulator dashboard can reuse
them: enterprise, district and period) and the enterprise's statistics page and CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.inbox.stats_page import csv_response
from bot.domain.complaint import Filing
from bot.domain.states import Status
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.people import EnterpriseRow
from storage.stats import CHINA, StatsRepository, StatsScope
from storage.uow import Database
from tests.adapters.inbox.support import file_case, staff_client
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock

X = EnterpriseRow("ent-x", "X商场", (), None, "辽宁省鞍山市铁东区", "", ())
Y = EnterpriseRow("ent-y", "Y超市", (), None, "甘肃省张掖市甘州区", "", ())
TODAY = date(2026, 11, 23)
NOVEMBER = StatsScope.days(date(2026, 11, 1), date(2026, 11, 30))


def cst(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA).astimezone(UTC)


async def _case(db: Database, number: int, enterprise: str, submitted: datetime,
                deadline: date, status: Status, category: str = "G01",
                nature: str = "quality", responded: datetime | None = None,
                resolved: datetime | None = None, settled: bool = False) -> None:
    async with db.unit_of_work() as uow:
        consumer = await uow.identities.get_or_create("web", f"c{number}", submitted, None)
        filing = Filing(enterprise, "商家", "", "商品", None, 10.0, "offline", "事实",
                        ("refund",), "甲", "13900000000", "鞍山", category, nature)
        complaint_id = await uow.complaints.insert(
            filing, reference=f"TS20261101{number:06d}", consumer_id=consumer.consumer_id,
            status=status, source_channel="web", now=submitted, deadline=deadline)
        await uow.cases.update(complaint_id, submitted, first_response_at=responded,
                               resolved_at=resolved)
        if responded is not None:
            await uow.complaints.add_event(complaint_id, action="accept",
                                           from_status=Status.SUBMITTED,
                                           to_status=Status.ACCEPTED, actor="enterprise",
                                           actor_ref="staff:1:inbox", now=responded)
        if settled:
            await uow.complaints.add_event(complaint_id, action="accept_proposal",
                                           from_status=Status.PROPOSED, to_status=Status.SETTLED,
                                           actor="consumer", actor_ref="c", now=submitted)
        await uow.commit()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    await upgrade(database.engine)
    async with database.unit_of_work() as uow:
        for row in (X, Y):
            await uow.enterprises.upsert(row, cst(1))
        await uow.commit()
    await _case(database, 1, "ent-x", cst(2), date(2026, 11, 16), Status.CLOSED,
                responded=cst(3), resolved=cst(10), settled=True)          # on time, settled
    await _case(database, 2, "ent-x", cst(9), date(2026, 11, 20), Status.OVERDUE,
                nature="price")                                            # late: no answer
    await _case(database, 3, "ent-x", cst(20), date(2026, 12, 4), Status.SUBMITTED,
                category="S08")                                            # pending
    await _case(database, 4, "ent-x", cst(10), date(2026, 11, 12), Status.NOT_SETTLED,
                responded=cst(13), resolved=cst(14))                       # answered late
    await _case(database, 5, "ent-y", cst(5), date(2026, 11, 19), Status.NEGOTIATING,
                category="G04", responded=cst(5, 12))
    await _case(database, 6, "ent-x", cst(20, month=10), date(2026, 11, 3), Status.CLOSED)
    yield database
    await database.dispose()


async def test_counts_by_scope(db: Database) -> None:
    x = StatsScope(NOVEMBER.start, NOVEMBER.end, enterprise_id="ent-x")
    async with db.unit_of_work() as uow:
        stats = StatsRepository(uow.connection)
        assert await stats.total(x) == 4
        assert await stats.total(NOVEMBER) == 5
        assert await stats.total(StatsScope(NOVEMBER.start, NOVEMBER.end,
                                            district="辽宁省鞍山市")) == 4
        assert await stats.total(StatsScope(NOVEMBER.start, NOVEMBER.end, district="甘肃")) == 1
        assert await stats.by_category(x) == [("G01", 3), ("S08", 1)]
        assert await stats.by_nature(x) == [("quality", 3), ("price", 1)]
        assert await stats.by_enterprise(NOVEMBER) == [("ent-x", 4), ("ent-y", 1)]
        assert await stats.by_district(NOVEMBER) == [("辽宁省鞍山市铁东区", 4),
                                                     ("甘肃省张掖市甘州区", 1)]
        assert await stats.activity(NOVEMBER) == (2, 2)
        assert await stats.activity(StatsScope(cst(15), cst(30))) == (2, 0)
        outcomes = await stats.outcomes(x)
        timely = await stats.timeliness(x, TODAY)
        weekly = await stats.weekly_volume(x)
    assert (outcomes.settled, outcomes.overdue, outcomes.open, outcomes.not_settled) == \
        (1, 1, 1, 1)
    assert outcomes.settlement_rate == pytest.approx(1 / 2)
    assert (timely.on_time, timely.late, timely.pending) == (1, 2, 1)
    assert timely.rate == pytest.approx(1 / 3)
    assert timely.median_first_response == timedelta(hours=48)  # 24 h and 72 h
    assert weekly == [(date(2026, 10, 26), 0), (date(2026, 11, 2), 1), (date(2026, 11, 9), 2),
                      (date(2026, 11, 16), 1), (date(2026, 11, 23), 0), (date(2026, 11, 30), 0)]


async def test_the_statistics_page_and_its_csv(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        first = await file_case(parts, clock, product="=HYPERLINK(\"http://x\")")
        await file_case(parts, clock, category="S08")
        async with staff_client(client, parts, clock) as staff:
            clock.advance(hours=5)
            await staff.act(first.reference, "accept")
            page = await staff.get("/inbox/stats")
            html = await page.text()
            assert page.status == 200
            assert '<div class="big" id="total">2</div>' in html
            assert '<div class="big" id="on-time">100.0%</div>' in html
            assert '<div class="big" id="median">5.0 小时</div>' in html
            assert "按时处理：在处理期限当日" in html and "（1 件）不计入" in html
            assert "家用电子电器" in html and "旅游服务" in html
            assert '<svg class="chart"' in html
            english = await (await staff.get("/inbox/stats?lang=en")).text()
            assert "On-time rate" in english and "Complaints per week" in english
            export = await staff.get("/inbox/stats.csv?from=2026-11-01&to=2026-11-30")
            assert export.status == 200
            assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert "attachment" in export.headers["Content-Disposition"]
            body = (await export.read()).decode("utf-8")
            assert body.startswith("\ufeffreference,submitted_at")
            assert first.reference in body and "13912345678" not in body
            assert len(body.strip().splitlines()) == 3


def test_csv_cells_are_never_formulas() -> None:
    response = csv_response([["=1+1", "+x", "-y", "@z", "plain"]], "x.csv")
    assert response.body == "\ufeff'=1+1,'+x,'-y,'@z,plain\r\n".encode()
