"""Dashboard query time on PostgreSQL with 1,000,000 complaints (issue 7: ≤ 500 ms a page).

    .venv/bin/python -m bench.dashboard_bench [--rows 1000000] [--keep]

Creates a scratch database ``odrbot_bench_dashboard`` on 127.0.0.1:5432 (dropped afterwards
unless --keep), fills it with COPY (enterprises in 30 districts, complaints over a year
with realistic states), then times the whole report the /admin page renders: for a year,
for one quarter, and for one district, five runs each (median and max)."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg

from bot.domain.deadlines import CHINA
from bot.services.regulator_report import build_report
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.regulator import Period
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
        first = submitted + timedelta(hours=rng.randrange(1, 200)) if state != "submitted" \
            else None
        resolved = submitted + timedelta(days=rng.randrange(1, 20)) \
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


async def time_report(db: Database, label: str, period: Period, first: date, last: date
                      ) -> tuple[str, float, float]:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        await build_report(db, period, first, last, date(2026, 11, 22))
        times.append((time.perf_counter() - started) * 1000)
    return label, statistics.median(times), max(times)


def _period(first: date, last: date, district: str | None = None) -> Period:
    start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
    end = datetime(last.year, last.month, last.day, tzinfo=CHINA) + timedelta(days=1)
    return Period(start, end, district)


async def main(rows: int, keep: bool) -> None:
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{NAME}"')
    db = Database(create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{NAME}"))
    try:
        await upgrade(db.engine)
        started = time.perf_counter()
        await fill(rows)
        print(f"filled {rows:,} complaints in {time.perf_counter() - started:.1f} s")  # noqa: T201
        year, quarter = (date(2025, 12, 1), date(2026, 11, 30)), (date(2026, 9, 1),
                                                                   date(2026, 11, 30))
        cases = [("one year, all districts", _period(*year), *year),
                 ("one quarter, all districts", _period(*quarter), *quarter),
                 ("one year, one province (10 districts)", _period(*year, "省1"), *year)]
        print("| page | median ms | max ms |\n|---|---|---|")  # noqa: T201
        for label, period, first, last in cases:
            _, median, worst = await time_report(db, label, period, first, last)
            print(f"| {label} | {median:.0f} | {worst:.0f} |")  # noqa: T201
    finally:
        await db.dispose()
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.keep))
