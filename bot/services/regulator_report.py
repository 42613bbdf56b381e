"""The regulator's report: the same figures for the dashboard, the CSV export and
``odrbot stats`` (table, csv or json)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from bot.refresher import drain
from handlers.labels import CATEGORY_LABELS, CHANNEL_LABELS, NATURE_LABELS, label
from storage.regulator import Overview, Period, Ranked
from storage.rollup_stats import RollupStats
from storage.rollups import as_of, record_as_of, refresh
from storage.uow import Database

T = TypeVar("T")
DIMENSIONS = ("category", "nature", "district", "enterprise", "channel")
_LABELS = {"category": CATEGORY_LABELS, "nature": NATURE_LABELS, "channel": CHANNEL_LABELS}
PAGE_BATCH = 200  # changes a page takes in itself (≈ 0.15 s at 1M complaints)


@dataclass(frozen=True)
class Report:
    period: Period
    first_day: date
    last_day: date
    overview: Overview
    counts: dict[str, list[tuple[str, int]]]
    weekly: list[tuple[date, int]]
    worst: list[Ranked]
    as_of: datetime | None
    """Every change committed before this time is counted (None: not yet refreshed)."""


async def build_report(db: Database, period: Period, first_day: date, last_day: date,
                       today: date, now: datetime, exact: bool = False) -> Report:
    """First the rollups take in the changes committed so far (storage/rollups.py): all of
    them when ``exact`` (``odrbot stats``), else a small queue only (the dashboard; the
    background refresher does the rest). Then every figure in its own read-only
    transaction, run concurrently (PostgreSQL spreads them over its cores; SQLite simply
    takes them in turn)."""
    if exact:
        await drain(db, now, batch=None, wait=True)
        current: datetime | None = now
    else:
        current = await _catch_up(db, now)

    async def run(query: Callable[[RollupStats], Awaitable[T]]) -> T:
        async with db.engine.connect() as conn:
            return await query(RollupStats(conn))

    def counts_of(dimension: str) -> Callable[[RollupStats], Awaitable[list[tuple[str, int]]]]:
        return lambda stats: stats.counts_by(dimension, period)

    overview, weekly, worst, counts = await asyncio.gather(
        run(lambda s: s.overview(period, today)), run(lambda s: s.weekly(period)),
        run(lambda s: s.worst_on_time(period, today)),
        asyncio.gather(*(run(counts_of(d)) for d in DIMENSIONS)))
    return Report(period, first_day, last_day, overview,
                  dict(zip(DIMENSIONS, counts, strict=True)), weekly, worst, current)


async def _catch_up(db: Database, now: datetime) -> datetime | None:
    """Take in a short queue of changes (then the figures are as of now); with a longer
    one, or while another refresh runs, the figures are as of the last emptied queue."""
    async with db.unit_of_work() as uow:
        taken = await refresh(uow.connection, PAGE_BATCH, wait=False)
        if taken is not None and taken < PAGE_BATCH:
            if taken:
                await record_as_of(uow.connection, now)
            await uow.commit()
            return now
        current = await as_of(uow.connection)
        await uow.commit()
    return current


def shown(dimension: str, code: str, lang: str = "zh") -> str:
    table = _LABELS.get(dimension)
    return label(table, code, lang) if table else code


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def key_figures(report: Report) -> list[tuple[str, str]]:
    o = report.overview
    return [
        ("投诉量", str(o.complaints)),
        ("按时办结率", percent(o.on_time_rate)),
        ("和解成功率", percent(o.settlement_rate)),
        ("活跃度", percent(o.activity_rate)),
        ("首次响应中位时长（小时）", "—" if o.median_first_response_hours is None
         else f"{o.median_first_response_hours:g}"),
        ("办结中位时长（小时）", "—" if o.median_resolution_hours is None
         else f"{o.median_resolution_hours:g}"),
        ("满意度（1-5）", "—" if o.rating_average is None else f"{o.rating_average:g}"),
    ]


def to_rows(report: Report) -> list[list[str]]:
    rows = [["section", "key", "value"]]
    rows += [["overview", name, value] for name, value in key_figures(report)]
    for dimension, items in report.counts.items():
        rows += [[dimension, shown(dimension, key), str(n)] for key, n in items]
    rows += [["week", monday.isoformat(), str(n)] for monday, n in report.weekly]
    rows += [["worst_on_time", f"{r.name}（{r.district}）", f"{r.on_time}/{r.due}"]
             for r in report.worst]
    return rows


def to_csv(report: Report) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(to_rows(report))
    return out.getvalue()


def to_json(report: Report) -> str:
    o = report.overview
    return json.dumps({
        "from": report.first_day.isoformat(), "to": report.last_day.isoformat(),
        "district": report.period.district,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "complaints": o.complaints, "on_time_rate": o.on_time_rate,
        "settlement_rate": o.settlement_rate, "activity_rate": o.activity_rate,
        "median_first_response_hours": o.median_first_response_hours,
        "median_resolution_hours": o.median_resolution_hours,
        "satisfaction": o.rating_average,
        "counts": {d: dict(items) for d, items in report.counts.items()},
        "weekly": {m.isoformat(): n for m, n in report.weekly},
        "worst_on_time": [{"enterprise_id": r.enterprise_id, "name": r.name, "due": r.due,
                           "on_time": r.on_time} for r in report.worst],
    }, ensure_ascii=False, indent=2)


def to_table(report: Report) -> str:
    width = max(len(r[1]) for r in to_rows(report)[1:]) if report.overview.complaints else 10
    lines = [f"ODR 统计 {report.first_day} — {report.last_day}"
             + (f"（{report.period.district}）" if report.period.district else "")]
    section = ""
    for kind, key, value in to_rows(report)[1:]:
        if kind != section:
            lines.append(f"\n[{kind}]")
            section = kind
        lines.append(f"  {key:<{width}}  {value}")
    return "\n".join(lines)
