"""The regulator's figures read from the rollups (``storage/rollups.py``): the same
answers as :class:`storage.regulator.RegulatorStats`, which reads every complaint.

A period of whole China days is covered by whole months, whole 旬 and single days of the
rollups. The one figure that depends on today — a case without a result is *due* once its
deadline day has passed — is the rolled-up count of cases without a result, less those
whose deadline is still ahead (few: an indexed query). A period that does not start and
end at a China midnight (only direct callers make one) is answered by ``RegulatorStats``.

Exactness: every count, rate and average is exact. The medians come from histograms whose
bins are one minute wide below 64 minutes and at most 1/32 of the value above; a bin
stands for its middle, so a median is within 1/64 (1.6 %) of the exact median of whole
minutes (and exact below 64 minutes), before rounding to 0.1 h.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.states import Status
from storage.regulator import Overview, Period, Ranked, RegulatorStats, median_of_histogram
from storage.rollups import bin_middle, dekad_end, month_end
from storage.stats import CHINA
from storage.tables import (
    complaints,
    enterprises,
    rollup_counts,
    rollup_districts,
    rollup_enterprises,
    rollup_spans,
)

_COUNTED = [s.value for s in Status if s is not Status.WITHDRAWN]
_DISTRICT_SUMS = ("complaints", "due_resolved", "on_time", "unresolved", "with_outcome",
                  "settled", "rated", "rating_sum")


def covering(first: date, last: date) -> list[tuple[str, date, date]]:
    """(grain, first start, last start) ranges that cover the days first..last exactly:
    whole months, else whole 旬, else days."""
    pieces: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        if day.day == 1 and month_end(day) <= last:
            grain, following = "m", month_end(day) + timedelta(days=1)
        elif day.day in (1, 11, 21) and dekad_end(day) <= last:
            grain, following = "t", dekad_end(day) + timedelta(days=1)
        else:
            grain, following = "d", day + timedelta(days=1)
        if pieces and pieces[-1][0] == grain:
            pieces[-1] = (grain, pieces[-1][1], day)
        else:
            pieces.append((grain, day, day))
        day = following
    return pieces


class RollupStats:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._direct = RegulatorStats(conn)

    async def overview(self, period: Period, today: date) -> Overview:
        days = _days(period)
        if days is None:
            return await self._direct.overview(period, today)
        table = rollup_districts
        row = (await self._conn.execute(
            select(*(func.coalesce(func.sum(table.c[name]), 0) for name in _DISTRICT_SUMS))
            .where(_scope(table, period, days)))).one()
        sums = dict(zip(_DISTRICT_SUMS, (int(v) for v in row), strict=True))
        waiting = sum((await self._not_yet_due(period, today)).values())
        enrolled, active = await self._direct.activity(period)
        first, resolution = await self._medians(period, days)
        rated = sums["rated"]
        return Overview(sums["complaints"], sums["due_resolved"] + sums["unresolved"] - waiting,
                        sums["on_time"], sums["with_outcome"], sums["settled"], rated,
                        round(sums["rating_sum"] / rated, 2) if rated else None,
                        enrolled, active, first, resolution)

    async def counts_by(self, dimension: str, period: Period, limit: int = 50
                        ) -> list[tuple[str, int]]:
        days = _days(period)
        if days is None:
            return await self._direct.counts_by(dimension, period, limit)
        if dimension == "enterprise":
            table, column, total = rollup_enterprises, enterprises.c.name, \
                func.sum(rollup_enterprises.c.complaints)
            query = select(column, total).select_from(table.join(
                enterprises, enterprises.c.id == table.c.enterprise_id))
        elif dimension == "district":
            table, column, total = rollup_districts, rollup_districts.c.district, \
                func.sum(rollup_districts.c.complaints)
            query = select(column, total)
        else:
            table, column, total = rollup_counts, rollup_counts.c.value, \
                func.sum(rollup_counts.c.n)
            query = select(column, total).where(rollup_counts.c.dimension == dimension)
        rows = await self._conn.execute(
            query.where(_scope(table, period, days)).group_by(column)
            .order_by(total.desc(), column).limit(limit))
        return [(str(r[0]), int(r[1])) for r in rows]

    async def weekly(self, period: Period) -> list[tuple[date, int]]:
        days = _days(period)
        if days is None:
            return await self._direct.weekly(period)
        table = rollup_districts
        rows = await self._conn.execute(
            select(table.c.start, func.sum(table.c.complaints))
            .where(_scope(table, period, [("d", *days)])).group_by(table.c.start))
        weeks: Counter[date] = Counter()
        for day, n in rows:
            weeks[day - timedelta(days=day.weekday())] += int(n)
        return sorted((week, n) for week, n in weeks.items() if n)

    async def worst_on_time(self, period: Period, today: date, minimum: int = 5,
                            limit: int = 10) -> list[Ranked]:
        days = _days(period)
        if days is None:
            return await self._direct.worst_on_time(period, today, minimum, limit)
        table = rollup_enterprises
        rows = await self._conn.execute(
            select(enterprises.c.id, enterprises.c.name, enterprises.c.district,
                   func.sum(table.c.due_resolved), func.sum(table.c.on_time),
                   func.sum(table.c.unresolved))
            .select_from(table.join(enterprises, enterprises.c.id == table.c.enterprise_id))
            .where(_scope(table, period, days))
            .group_by(enterprises.c.id, enterprises.c.name, enterprises.c.district))
        waiting = await self._not_yet_due(period, today)
        ranked = [Ranked(r[0], r[1], r[2], int(r[3]) + int(r[5]) - waiting[r[0]], int(r[4]))
                  for r in rows]
        ranked = [r for r in ranked if r.due >= minimum]
        # As in SQL: by rate, an undefined rate (nothing due) last, then by id.
        ranked.sort(key=lambda r: (r.due == 0, r.rate, r.enterprise_id))
        return ranked[:limit]

    async def _not_yet_due(self, period: Period, today: date) -> Counter[str]:
        """Cases without a result whose deadline day is today or later, by enterprise
        (few: those of the last weeks, found through ``ix_complaints_status_deadline``)."""
        query = (select(complaints.c.enterprise_id, func.count())
                 .select_from(complaints.join(enterprises,
                                              enterprises.c.id == complaints.c.enterprise_id))
                 .where(complaints.c.status.in_(_COUNTED), complaints.c.deadline >= today,
                        complaints.c.resolved_on_time.is_(None),
                        complaints.c.submitted_at >= period.start,
                        complaints.c.submitted_at < period.end)
                 .group_by(complaints.c.enterprise_id))
        if period.district:
            query = query.where(enterprises.c.district.startswith(period.district,
                                                                  autoescape=True))
        return Counter({r[0]: int(r[1]) for r in await self._conn.execute(query)})

    async def _medians(self, period: Period, days: tuple[date, date]
                       ) -> tuple[float | None, float | None]:
        table = rollup_spans
        rows = await self._conn.execute(
            select(table.c.measure, table.c.minutes, func.sum(table.c.n))
            .where(_scope(table, period, days)).group_by(table.c.measure, table.c.minutes))
        bins: dict[str, list[tuple[float, int]]] = {"first": [], "resolution": []}
        for measure, minutes, n in rows:
            bins[measure].append((bin_middle(int(minutes)), int(n)))
        return median_of_histogram(bins["first"]), median_of_histogram(bins["resolution"])


def _days(period: Period) -> tuple[date, date] | None:
    """The China days first..last of a period of whole days; None for any other period."""
    start, end = period.start.astimezone(CHINA), period.end.astimezone(CHINA)
    if start.time() != time(0) or end.time() != time(0) or end <= start:
        return None
    return start.date(), end.date() - timedelta(days=1)


def _scope(table: Table, period: Period, days: tuple[date, date] | list[tuple[str, date, date]]
           ) -> ColumnElement[bool]:
    pieces = covering(*days) if isinstance(days, tuple) else days
    where: ColumnElement[bool] = or_(*(
        and_(table.c.grain == grain, table.c.start >= first, table.c.start <= last)
        for grain, first, last in pieces))
    if period.district:
        where = and_(where, table.c.district.startswith(period.district, autoescape=True))
    return where

