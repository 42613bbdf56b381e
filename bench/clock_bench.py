"""The ODR clock's cost with 100,000 open cases (issue 7): time and statements per sweep.

    .venv/bin/python -m bench.clock_bench [--cases 100000] [--postgres]

Fills a scratch database with open cases and their timers (three each), then times the
scheduler's sweep when nothing is due (the steady state, every minute or on wake-up)
and when 1,000 timers fall due at once (reminders and overdue transitions), counting the
SQL statements each sweep sends."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, insert

from bot.config import OdrConfig
from bot.scheduler import Scheduler
from bot.services.timing import Timing
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import complaints, consumers, enterprises, timers
from storage.uow import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PG = "odrbot_bench_clock"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def fill(db: Database, cases: int) -> None:
    rows: list[dict[str, Any]] = []
    timer_rows: list[dict[str, Any]] = []
    for n in range(1, cases + 1):
        submitted = NOW - timedelta(minutes=n % 10_000)
        rows.append(dict(
            id=n, reference=f"TS{n:014d}", consumer_id=1, enterprise_id="e1", status="accepted",
            merchant="店", merchant_address="", product="商品", channel="offline", facts="事实",
            demands=[], consumer_name="甲", consumer_phone="13900000000", consumer_address="",
            category="G01", nature="quality", prepaid=False, source_channel="web",
            consent_at=submitted, submitted_at=submitted, deadline=date(2026, 12, 7),
            updated_at=submitted, extended_days=0))
        # Spread the due times so that exactly 1,000 fall due in the window measured.
        for kind, hours in (("staff_half", 170), ("staff_day_before", 260), ("deadline", 340)):
            due = NOW + timedelta(hours=hours, seconds=n % 86_400)
            if kind == "staff_half" and n <= 1000:
                due = NOW + timedelta(minutes=30)
            timer_rows.append(dict(complaint_id=n, kind=kind, due_at=due, state="pending"))
    async with db.unit_of_work() as uow:
        conn = uow.connection
        await conn.execute(insert(enterprises).values(
            id="e1", name="企业", aliases=[], district="", address="", categories=[],
            enrolled=True, created_at=NOW))
        await conn.execute(insert(consumers).values(id=1, created_at=NOW))
        for start in range(0, cases, 10_000):
            await conn.execute(insert(complaints), rows[start:start + 10_000])
        for start in range(0, len(timer_rows), 30_000):
            await conn.execute(insert(timers), timer_rows[start:start + 30_000])
        await uow.commit()


async def measure(db: Database, label: str) -> None:
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    sync = db.engine.sync_engine
    event.listen(sync, "before_cursor_execute", count)
    clock = Clock()
    scheduler = Scheduler(db, Timing.from_config(OdrConfig()), clock)
    try:
        for name, at in (("nothing due", NOW), ("1,000 due", NOW + timedelta(hours=1))):
            clock.now = at
            statements[0] = 0
            started = time.perf_counter()
            fired = await scheduler.sweep()
            took = (time.perf_counter() - started) * 1000
            print(f"| {label} | {name} | {fired} | {took:.1f} | {statements[0]} |")  # noqa: T201
    finally:
        event.remove(sync, "before_cursor_execute", count)


async def main(cases: int, postgres: bool) -> None:
    if postgres:
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{PG}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG}"
    else:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'clock.sqlite3'}"
    db = Database(create_engine(url))
    try:
        await upgrade(db.engine)
        started = time.perf_counter()
        await fill(db, cases)
        print(f"filled {cases:,} open cases with {3 * cases:,} timers "  # noqa: T201
              f"in {time.perf_counter() - started:.1f} s")
        print("| database | sweep | fired | ms | statements |\n|---|---|---|---|---|")  # noqa: T201
        await measure(db, "PostgreSQL" if postgres else "SQLite")
    finally:
        await db.dispose()
        if postgres:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.postgres))
