"""Rollups of the regulator's figures (issue 7: ≤ 500 ms a dashboard page at 1,000,000
complaints): the tables ``rollup_*`` hold, per period of submission (day, 旬, month; China
time) and district or enterprise, the counts and sums the dashboard adds up.

How they stay right:
- every change of a complaint (``ComplaintRepository.insert``, ``CaseRepository.update``)
  appends its id to ``rollup_dirty`` in the same transaction — an insert of a new row, so
  concurrent writers never wait on each other;
- :func:`refresh` (run before every dashboard page and ``odrbot stats``) consumes those
  rows, recomputes each touched day from the complaints themselves, then that day's 旬
  and month from the day rows. One refresh runs at a time (an advisory lock on
  PostgreSQL, the single writer on SQLite). A change committed while a refresh runs keeps
  its row and is picked up by the next refresh: a page is never older than its own start.

What is not tracked: an enterprise moving to another district reaches the figures of a
day when that day is next recomputed (:func:`rebuild` recomputes all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, String, Table, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.stats import CHINA
from storage.tables import (
    complaints,
    enterprises,
    rollup_counts,
    rollup_dirty,
    rollup_districts,
    rollup_enterprises,
    rollup_spans,
)

WITH_OUTCOME = ("settled", "not_settled", "overdue", "escalated", "closed")
DIMENSIONS = ("category", "nature", "channel")
_LOCK = 7_200_007  # pg_advisory_xact_lock key of the refresh
# table -> (its key columns after grain and start, the columns summed, kept by max()).
_SHAPES: dict[Table, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    rollup_districts: (("district",), ("complaints", "due_resolved", "on_time", "unresolved",
                                       "with_outcome", "settled", "rated", "rating_sum"), ()),
    rollup_enterprises: (("enterprise_id",), ("complaints", "due_resolved", "on_time",
                                              "unresolved"), ("district",)),
    rollup_counts: (("district", "dimension", "value"), ("n",), ()),
    rollup_spans: (("district", "measure", "minutes"), ("n",), ()),
}


async def mark_changed(conn: AsyncConnection, complaint_id: int) -> None:
    """Note that a complaint changed: its day is recomputed at the next refresh."""
    await conn.execute(insert(rollup_dirty).values(complaint_id=complaint_id))


def span_bin(minutes: int) -> int:
    """The bin of a duration in whole minutes: exact below 64, else its lower edge in steps
    of a power of two at most 1/32 of the value (32 bins per doubling)."""
    if minutes < 64:
        return max(minutes, 0)
    step = 1 << (minutes.bit_length() - 6)
    return minutes - minutes % step


def bin_middle(edge: int) -> float:
    """What a bin stands for in a median: its middle, so within 1/64 of any value in it."""
    step = 1 if edge < 64 else 1 << (edge.bit_length() - 6)
    return edge + (step - 1) / 2


def dekad_of(day: date) -> date:
    return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)


def dekad_end(start: date) -> date:
    if start.day < 21:
        return start + timedelta(days=9)
    return month_end(start)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


async def refresh(conn: AsyncConnection) -> int:
    """Recompute the days touched since the last refresh; returns how many. The caller
    commits."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(_LOCK)))
    # The marks taken are exactly those deleted here; a change committed meanwhile keeps
    # its mark for the next refresh (its day is read by the statements below anyway).
    taken = sorted({int(r[0]) for r in await conn.execute(
        delete(rollup_dirty).returning(rollup_dirty.c.complaint_id))})
    days: set[date] = set()
    for at in range(0, len(taken), 10_000):
        stamps = await conn.execute(select(complaints.c.submitted_at).where(
            complaints.c.id.in_(taken[at:at + 10_000])))
        days.update(_china_day(r[0]) for r in stamps)
    await recompute(conn, days)
    return len(days)


async def rebuild(conn: AsyncConnection) -> int:
    """Recompute every day that has complaints (after a district change, or to check)."""
    await conn.execute(delete(rollup_dirty))
    bounds = (await conn.execute(select(func.min(complaints.c.submitted_at),
                                        func.max(complaints.c.submitted_at)))).one()
    for table in _SHAPES:
        await conn.execute(delete(table))
    if bounds[0] is None:
        return 0
    first, last = _china_day(bounds[0]), _china_day(bounds[1])
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    await recompute(conn, days)
    return len(days)


async def recompute(conn: AsyncConnection, days: Iterable[date]) -> None:
    days = sorted(set(days))
    for day in days:
        await _recompute_day(conn, day)
    for dekad in sorted({dekad_of(d) for d in days}):
        await _derive(conn, "t", dekad, ("d", dekad, dekad_end(dekad)))
    for month in sorted({d.replace(day=1) for d in days}):
        await _derive(conn, "m", month, ("t", month, month_end(month)))


async def _recompute_day(conn: AsyncConnection, day: date) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    rows = (await conn.execute(
        select(complaints.c.enterprise_id, enterprises.c.district, complaints.c.status,
               complaints.c.category, complaints.c.nature, complaints.c.channel,
               complaints.c.submitted_at, complaints.c.first_response_at,
               complaints.c.resolved_at, complaints.c.resolved_on_time,
               complaints.c.settled_at, complaints.c.rating)
        .select_from(complaints.join(enterprises,
                                     enterprises.c.id == complaints.c.enterprise_id))
        .where(complaints.c.submitted_at >= start,
               complaints.c.submitted_at < start + timedelta(days=1)))).mappings().all()
    for table, values in _day_rows(rows).items():
        await conn.execute(delete(table).where(table.c.grain == "d", table.c.start == day))
        if values:
            await conn.execute(insert(table), [dict(v, grain="d", start=day) for v in values])


def _day_rows(rows: Iterable[Any]) -> dict[Table, list[dict[str, Any]]]:
    """The rollup rows of one day's complaints, summed in Python (exact, on any database)."""
    sums: dict[Table, dict[tuple[Any, ...], Counter[str]]] = {t: {} for t in _SHAPES}
    owners: dict[str, str] = {}

    def add(table: Table, key: tuple[Any, ...], **values: int) -> None:
        sums[table].setdefault(key, Counter()).update(values)

    for r in rows:
        counted = r["status"] != "withdrawn"
        resolved = r["resolved_on_time"]
        facts = {"complaints": 1, "due_resolved": int(counted and resolved is not None),
                 "on_time": int(counted and resolved is True),
                 "unresolved": int(counted and resolved is None)}
        district = r["district"]
        owners[r["enterprise_id"]] = district
        add(rollup_enterprises, (r["enterprise_id"],), **facts)
        add(rollup_districts, (district,), **facts,
            with_outcome=int(r["status"] in WITH_OUTCOME),
            settled=int(r["settled_at"] is not None), rated=int(r["rating"] is not None),
            rating_sum=r["rating"] or 0)
        for dimension in DIMENSIONS:
            add(rollup_counts, (district, dimension, r[dimension]), n=1)
        for measure, column in (("first", "first_response_at"), ("resolution", "resolved_at")):
            if r[column] is not None:
                minutes = (r[column] - r["submitted_at"]).total_seconds() // 60
                add(rollup_spans, (district, measure, span_bin(int(minutes))), n=1)
    out: dict[Table, list[dict[str, Any]]] = {}
    for table, groups in sums.items():
        keys, measures, _kept = _SHAPES[table]
        out[table] = [dict(zip(keys, key, strict=True), **{m: counts[m] for m in measures})
                      for key, counts in groups.items()]
    for row in out[rollup_enterprises]:
        row["district"] = owners[row["enterprise_id"]]
    return out


async def _derive(conn: AsyncConnection, grain: str, start: date,
                  source: tuple[str, date, date]) -> None:
    """The rows of a 旬 or month: the sums of the rows of a finer grain within it."""
    for table, (keys, measures, kept) in _SHAPES.items():
        await conn.execute(delete(table).where(table.c.grain == grain, table.c.start == start))
        of, first, last = source
        grouped = [table.c[k] for k in keys]
        sums = select(literal(grain, String()), literal(start, Date()), *grouped,
                      *(func.max(table.c[k]) for k in kept),
                      *(func.sum(table.c[m]) for m in measures)).where(
            table.c.grain == of, table.c.start >= first, table.c.start <= last
        ).group_by(*grouped)
        await conn.execute(insert(table).from_select(
            ["grain", "start", *keys, *kept, *measures], sums))


def _china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()
