"""What the regulator supervises ODR enterprises by (issue 7), as SQL aggregates.

Definitions (also shown on the dashboard):
- 按时办结率 on-time rate: of the cases that are due — a result was reached (offer
  accepted, refused, closed) or the deadline day has passed — the share with a result by
  the end of the deadline day (China time). Withdrawn cases are left out.
- 和解成功率 settlement rate: of the cases with an outcome (settled, not settled, overdue,
  escalated, closed), the share where the consumer accepted an offer.
- 活跃度 activity rate: the share of enrolled enterprises whose staff acted on at least
  one case in the period.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.tables import complaints, enterprise_activity, enterprises

WITH_OUTCOME = ("settled", "not_settled", "overdue", "escalated", "closed")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    district: str | None = None


@dataclass(frozen=True)
class Overview:
    complaints: int
    due: int
    on_time: int
    with_outcome: int
    settled: int
    rated: int
    rating_average: float | None
    enrolled: int
    active: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def settlement_rate(self) -> float | None:
        return self.settled / self.with_outcome if self.with_outcome else None

    @property
    def activity_rate(self) -> float | None:
        return self.active / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class Ranked:
    enterprise_id: str
    name: str
    district: str
    due: int
    on_time: int

    @property
    def rate(self) -> float:
        return self.on_time / self.due if self.due else 0.0


class RegulatorStats:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def _where(self, period: Period) -> Any:
        clauses = [complaints.c.submitted_at >= period.start, complaints.c.submitted_at < period.end]
        if period.district:
            clauses.append(enterprises.c.district.startswith(period.district, autoescape=True))
        return and_(*clauses)

    def _from(self) -> Any:
        return complaints.join(enterprises, enterprises.c.id == complaints.c.enterprise_id)

    async def overview(self, period: Period, today: date) -> Overview:
        due = _due(today)
        row = (await self._conn.execute(
            select(func.count(),
                   func.sum(case((due, 1), else_=0)),
                   func.sum(case((and_(due, complaints.c.resolved_on_time.is_(True)), 1),
                                 else_=0)),
                   func.sum(case((complaints.c.status.in_(WITH_OUTCOME), 1), else_=0)),
                   func.sum(case((complaints.c.settled_at.is_not(None), 1), else_=0)),
                   func.count(complaints.c.rating),
                   func.avg(cast(complaints.c.rating, Float)))
            .select_from(self._from()).where(self._where(period)))).one()
        enrolled, active = await self.activity(period)
        first, resolution = await self._medians(period)
        return Overview(int(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0),
                        int(row[4] or 0), int(row[5] or 0),
                        None if row[6] is None else round(float(row[6]), 2),
                        enrolled, active, first, resolution)

    async def counts_by(self, dimension: str, period: Period, limit: int = 50
                        ) -> list[tuple[str, int]]:
        column = {"category": complaints.c.category, "nature": complaints.c.nature,
                  "channel": complaints.c.channel, "district": enterprises.c.district,
                  "enterprise": enterprises.c.name}[dimension]
        rows = await self._conn.execute(
            select(column, func.count()).select_from(self._from()).where(self._where(period))
            .group_by(column).order_by(func.count().desc(), column).limit(limit))
        return [(str(r[0]), int(r[1])) for r in rows]

    async def weekly(self, period: Period) -> list[tuple[date, int]]:
        week = _week(self._conn.dialect.name)
        rows = await self._conn.execute(
            select(week, func.count()).select_from(self._from()).where(self._where(period))
            .group_by(week).order_by(week))
        return [(_as_date(r[0]), int(r[1])) for r in rows]

    async def worst_on_time(self, period: Period, today: date, minimum: int = 5,
                            limit: int = 10) -> list[Ranked]:
        due = _due(today)
        due_n = func.sum(case((due, 1), else_=0))
        on_time_n = func.sum(case((and_(due, complaints.c.resolved_on_time.is_(True)), 1),
                                  else_=0))
        rate = cast(on_time_n, Float) / func.nullif(due_n, 0)
        rows = await self._conn.execute(
            select(enterprises.c.id, enterprises.c.name, enterprises.c.district, due_n, on_time_n)
            .select_from(self._from()).where(self._where(period))
            .group_by(enterprises.c.id, enterprises.c.name, enterprises.c.district)
            .having(due_n >= minimum).order_by(rate, enterprises.c.id).limit(limit))
        return [Ranked(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]

    async def _median_minutes(self, column: Any, period: Period) -> float | None:
        minutes = func.floor(func.extract("epoch", column - complaints.c.submitted_at) / 60)
        rows = await self._conn.execute(
            select(minutes, func.count()).select_from(self._from())
            .where(self._where(period), column.is_not(None)).group_by(minutes))
        return median_of_histogram([(float(r[0]), int(r[1])) for r in rows])

    async def mark_active(self, enterprise_id: str, day: date) -> None:
        """Record that the enterprise's staff acted on ``day`` (once per day)."""
        seen = (await self._conn.execute(select(enterprise_activity.c.day).where(
            enterprise_activity.c.enterprise_id == enterprise_id,
            enterprise_activity.c.day == day))).first()
        if seen is None:
            await self._conn.execute(enterprise_activity.insert().values(
                enterprise_id=enterprise_id, day=day))

    async def activity(self, period: Period) -> tuple[int, int]:
        """Enrolled enterprises, and how many of them acted in the period: one index probe
        per enterprise, whatever the size of the complaint history."""
        scope: ColumnElement[bool] = enterprises.c.enrolled.is_(True)
        if period.district:
            scope = and_(scope, enterprises.c.district.startswith(period.district,
                                                                   autoescape=True))
        first, last = _china_day(period.start), _china_day(period.end - timedelta(seconds=1))
        acted = exists().where(enterprise_activity.c.enterprise_id == enterprises.c.id,
                               enterprise_activity.c.day >= first,
                               enterprise_activity.c.day <= last)
        row = (await self._conn.execute(select(
            func.count(), func.sum(case((acted, 1), else_=0))).where(scope))).one()
        return int(row[0]), int(row[1] or 0)

    async def _medians(self, period: Period) -> tuple[float | None, float | None]:
        first = complaints.c.first_response_at
        resolved = complaints.c.resolved_at
        if self._conn.dialect.name == "postgresql":
            # A histogram by minute (hash aggregation) instead of sorting every row.
            return (await self._median_minutes(first, period),
                    await self._median_minutes(resolved, period))
        rows = (await self._conn.execute(
            select(complaints.c.submitted_at, first, resolved).select_from(self._from())
            .where(self._where(period)))).all()
        return (_median([(r[1] - r[0]) for r in rows if r[1] is not None]),
                _median([(r[2] - r[0]) for r in rows if r[2] is not None]))


def _china_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) + timedelta(hours=8)).date()


def median_of_histogram(counts: list[tuple[float, int]]) -> float | None:
    """The exact median (in hours) of values given as (value in minutes, how many)."""
    total = sum(n for _v, n in counts)
    if not total:
        return None
    wanted = [(total + 1) // 2, total // 2 + 1]  # the middle one, or the two middle ones
    found: list[float] = []
    seen = 0
    for value, n in sorted(counts):
        seen += n
        while wanted and seen >= wanted[0]:
            found.append(value)
            wanted.pop(0)
    return round(statistics.mean(found) / 60, 1)


def _due(today: date) -> Any:
    return and_(complaints.c.status != "withdrawn",
                (complaints.c.resolved_on_time.is_not(None)) | (complaints.c.deadline < today))


def _week(dialect: str) -> Any:
    if dialect == "postgresql":
        # Whole weeks since the Monday 1970-01-05, China time (+8 h): integer arithmetic
        # on the epoch is far cheaper per row than a time-zone conversion.
        seconds = func.extract("epoch", complaints.c.submitted_at) + 8 * 3600 - 4 * 86400
        return func.floor(seconds / 604800)
    # SQLite keeps UTC text; shift to China time, then back to that week's Monday.
    return func.date(complaints.c.submitted_at, literal("+8 hours"), literal("-6 days"),
                     literal("weekday 1"))


def _as_date(value: object) -> date:
    if isinstance(value, int | float | Decimal):
        return date(1970, 1, 5) + timedelta(weeks=int(value))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _median(spans: list[timedelta]) -> float | None:
    if not spans:
        return None
    return _round(statistics.median(s.total_seconds() for s in spans) / 3600)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)
