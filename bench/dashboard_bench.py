"""Dashboard query time on PostgreSQL with 1,000,000 complaints (issue 7: ≤ 500 ms a page).

    .venv/bin/python -m bench.dashboard_bench [--rows 1000000] [--keep]

Creates a scratch database ``odrbot_bench_dashboard`` on 127.0.0.1:5432 (dropped afterwards
unless --keep), fills it with COPY (enterprises in 30 districts, complaints over a year
with realistic states, response and resolution times to the second), builds the rollups
with the code the app's refresh runs (``storage.rollups.rebuild``), then times the whole
report the /admin page renders (with its catch-up of a short queue): for a year, a quarter, one province
and the default page (the last 90 days, not aligned to months), five runs each (median
and max); then each query alone, and a refresh after 1,000 cases changed. ``--check``
also compares the year's figures with the direct computation over every complaint."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import asyncpg
from sqlalchemy import select, text

from bot.domain.deadlines import CHINA
from bot.services.regulator_report import build_report
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.regulator import Period, RegulatorStats
from storage.rollup_stats import RollupStats
from storage.rollups import rebuild, refresh
from storage.tables import complaints
from storage.uow import Database

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NAME = "odrbot_bench_dashboard"
CATEGORIES = ["G01", "G02", "G03", "G04", "G06", "S01", "S02", "S08", "S12"]
NATURES = ["quality", "contract", "after_sales", "price", "false_advertising", "safety"]
STATES = ["closed"] * 30 + ["settled"] * 15 + ["not_settled"] * 10 + ["overdue"] * 5 + \
    ["submitted"] * 5 + ["negotiating"] * 5 + ["withdrawn"] * 3 + ["escalated"] * 2
START = datetime(2025, 12, 1, tzinfo=UTC)


async def fill(rows: int) -> None:
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{NAME}")
    rng = random.Random(7)
    now = datetime.now(UTC)
    districts = [f"省{d // 10}市{d}区" for d in range(30)]
    enterprises = [(f"e{i}", f"企业{i}", "[]", None, districts[i % 30], "", "[]", True, now)
                   for i in range(3000)]
    await conn.copy_records_to_table("enterprises", records=enterprises, columns=[
        "id", "name", "aliases", "uscc", "district", "address", "categories", "enrolled",
        "created_at"])
    await conn.execute("INSERT INTO consumers (id, created_at) VALUES (1, now())")

    def record(n: int) -> tuple[object, ...]:
        submitted = START + timedelta(seconds=rng.randrange(365 * 86400))
        state = rng.choice(STATES)
        deadline = (submitted + timedelta(days=14)).date()
        first = submitted + timedelta(seconds=rng.randrange(600, 200 * 3600)) \
            if state != "submitted" else None
        resolved = submitted + timedelta(seconds=rng.randrange(3600, 20 * 86400)) \
            if state in ("closed", "settled", "not_settled", "withdrawn", "escalated") else None
        on_time = None if resolved is None else resolved.date() <= deadline
        settled = resolved if state in ("settled",) or (state == "closed" and n % 2) else None
        return (f"TS{n:014d}", 1, f"e{rng.randrange(3000)}", state, "店", "", "商品", None,
                100.0, rng.choice(["online", "offline", "livestream"]), "事实", "[]", "甲",
                "", "", rng.choice(CATEGORIES), rng.choice(NATURES), None, False, "web",
                submitted, submitted, deadline, submitted, first, resolved, on_time, settled,
                rng.choice([None, None, 3, 4, 5]), 0)

    columns = ["reference", "consumer_id", "enterprise_id", "status", "merchant",
               "merchant_address", "product", "purchase_date", "amount", "channel", "facts",
               "demands", "consumer_name", "consumer_phone", "consumer_address", "category",
               "nature", "order_no", "prepaid", "source_channel", "consent_at", "submitted_at",
               "deadline", "updated_at", "first_response_at", "resolved_at",
               "resolved_on_time", "settled_at", "rating", "extended_days"]
    for chunk in range(0, rows, 100_000):
        batch = [record(n) for n in range(chunk, min(rows, chunk + 100_000))]
        await conn.copy_records_to_table("complaints", records=batch, columns=columns)
    await conn.execute("""INSERT INTO complaint_events (complaint_id, action, to_status, actor, at)
        SELECT id, 'accept', 'accepted', 'enterprise', first_response_at FROM complaints
        WHERE first_response_at IS NOT NULL""")
    await conn.execute("""INSERT INTO enterprise_activity (enterprise_id, day)
        SELECT DISTINCT enterprise_id, (first_response_at AT TIME ZONE 'Asia/Shanghai')::date
        FROM complaints WHERE first_response_at IS NOT NULL""")
    await conn.execute("VACUUM ANALYZE")
    await conn.close()


async def build_rollups(db: Database) -> None:
    started = time.perf_counter()
    async with db.unit_of_work() as uow:
        count = await rebuild(uow.connection)
        await uow.commit()
    async with db.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    print(f"rolled up {count} complaints in {time.perf_counter() - started:.1f} s")  # noqa: T201


async def time_report(db: Database, label: str, period: Period, first: date, last: date
                      ) -> tuple[str, float, float]:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        await build_report(db, period, first, last, TODAY, datetime.now(UTC))
        times.append((time.perf_counter() - started) * 1000)
    return label, statistics.median(times), max(times)


def _period(first: date, last: date, district: str | None = None) -> Period:
    start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
    end = datetime(last.year, last.month, last.day, tzinfo=CHINA) + timedelta(days=1)
    return Period(start, end, district)


TODAY = date(2026, 11, 22)
YEAR, QUARTER = (date(2025, 12, 1), date(2026, 11, 30)), (date(2026, 9, 1), date(2026, 11, 30))
LAST_90 = (TODAY - timedelta(days=89), TODAY)


async def time_queries(db: Database, period: Period) -> None:
    """Each query of a page alone, in its own connection (median of five, ms)."""
    queries: dict[str, Callable[[RollupStats], Awaitable[object]]] = {
        "overview (+ activity, medians)": lambda s: s.overview(period, TODAY),
        "weekly": lambda s: s.weekly(period),
        "worst on-time": lambda s: s.worst_on_time(period, TODAY),
        **{f"counts by {d}": _counts(d, period)
           for d in ("category", "nature", "district", "enterprise", "channel")},
    }
    print("| query (one year) | median ms |\n|---|---|")  # noqa: T201
    for label, query in queries.items():
        times = []
        for _ in range(5):
            async with db.engine.connect() as conn:
                started = time.perf_counter()
                await query(RollupStats(conn))
                times.append((time.perf_counter() - started) * 1000)
        print(f"| {label} | {statistics.median(times):.1f} |")  # noqa: T201


def _counts(dimension: str, period: Period) -> Callable[[RollupStats], Awaitable[object]]:
    return lambda stats: stats.counts_by(dimension, period)


async def time_refresh(db: Database, changed: int) -> None:
    """Cases of the last 30 days change (as turns would), then one refresh takes them in."""
    async with db.unit_of_work() as uow:
        ids = [r[0] for r in await uow.connection.execute(
            select(complaints.c.id).where(complaints.c.submitted_at >= _period(*LAST_90).end
                                          - timedelta(days=30)).limit(changed))]
        for case_id in ids:
            await uow.cases.update(case_id, datetime.now(UTC), rating=5)
        await uow.commit()
    started = time.perf_counter()
    async with db.unit_of_work() as uow:
        marks = await refresh(uow.connection)
        await uow.commit()
    print(f"refresh after {len(ids)} changed cases ({marks} marks): "  # noqa: T201
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


async def check(db: Database) -> None:
    period = _period(*YEAR)
    async with db.engine.connect() as conn:
        rolled = await RollupStats(conn).overview(period, TODAY)
        direct = await RegulatorStats(conn).overview(period, TODAY)
    print(f"rollups:  {rolled}\ndirectly: {direct}")  # noqa: T201


async def main(rows: int, keep: bool, reuse: bool, verify: bool) -> None:
    admin = await asyncpg.connect(ADMIN)
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", NAME)
    if not (reuse and exists):
        await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{NAME}"')
    db = Database(create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{NAME}"))
    try:
        if not (reuse and exists):
            await upgrade(db.engine)
            started = time.perf_counter()
            await fill(rows)
            print(f"filled {rows:,} complaints in {time.perf_counter() - started:.1f} s")  # noqa: T201
            await build_rollups(db)
        cases = [("one year, all districts", _period(*YEAR), *YEAR),
                 ("one quarter, all districts", _period(*QUARTER), *QUARTER),
                 ("one year, one province (10 districts)", _period(*YEAR, "省1"), *YEAR),
                 ("last 90 days (the default page)", _period(*LAST_90), *LAST_90)]
        print("| page | median ms | max ms |\n|---|---|---|")  # noqa: T201
        for label, period, first, last in cases:
            _, median, worst = await time_report(db, label, period, first, last)
            print(f"| {label} | {median:.0f} | {worst:.0f} |")  # noqa: T201
        await time_queries(db, _period(*YEAR))
        await time_refresh(db, 1000)
        if verify:
            await check(db)
    finally:
        await db.dispose()
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="use a database kept by --keep")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.keep or args.reuse, args.reuse, args.check))
