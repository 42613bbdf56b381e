"""Statistics of complaints: what an enterprise's inbox and the regulator's dashboard show.

Every query takes one :class:`StatsScope`: a period ``[start, end)`` of submission times,
and optionally one enterprise and/or a district (a prefix of the enterprise's registered
district, so "辽宁省鞍山市" covers every district of 鞍山). Counts are grouped in SQL;
the on-time rate, the median and the weekly series are computed from one narrow select
(portable between SQLite and PostgreSQL, which disagree on medians and week truncation).

Definitions (shown to users on the statistics page):
- **responded**: the enterprise's first response (受理, a message, a proposal or a
  refusal) or the case's resolution, whichever came first;
- **on time**: responded on or before the deadline day (China time);
  **late**: responded after it, or not responded and the deadline day has passed;
  cases with no response whose deadline has not passed yet are **pending** and left out
  of the rate;
- **settled**: the consumer accepted a proposal (state settled, or closed after that).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import complaint_events, complaints, enterprises

CHINA = timezone(timedelta(hours=8))
OPEN = ("submitted", "accepted", "negotiating", "proposed")


@dataclass(frozen=True)
class StatsScope:
    start: datetime
    """First instant of the period (aware), inclusive."""
    end: datetime
    """End of the period (aware), exclusive."""
    enterprise_id: str | None = None
    district: str | None = None

    @classmethod
    def days(cls, first: date, last: date, enterprise_id: str | None = None,
             district: str | None = None) -> StatsScope:
        """The calendar days ``first``..``last`` (both included), in China time; dates are
        kept within 2000..2099 (year 1 or 9999 would overflow the arithmetic)."""
        first = min(max(first, date(2000, 1, 1)), date(2099, 12, 31))
        last = min(max(last, date(2000, 1, 1)), date(2099, 12, 31))
        start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
        end = datetime(last.year, last.month, last.day, tzinfo=CHINA) + timedelta(days=1)
        return cls(start, end, enterprise_id, district)


@dataclass(frozen=True)
class Timeliness:
    on_time: int
    late: int
    pending: int
    responded: int
    median_first_response: timedelta | None

    @property
    def judged(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None


@dataclass(frozen=True)
class Outcomes:
    open: int = 0
    settled: int = 0
    not_settled: int = 0
    overdue: int = 0
    escalated: int = 0
    withdrawn: int = 0
    closed_other: int = 0

    @property
    def settlement_rate(self) -> float | None:
        """和解成功率: settled among the cases that reached an end."""
        ended = self.settled + self.not_settled + self.escalated + self.closed_other
        return self.settled / ended if ended else None


@dataclass(frozen=True)
class CaseRecord:
    """One complaint as the statistics see it (no personal data of the consumer)."""

    reference: str
    enterprise_id: str
    district: str
    submitted_at: datetime
    deadline: date
    status: str
    category: str
    nature: str
    source_channel: str
    first_response_at: datetime | None
    resolved_at: datetime | None
    settled: bool
    rating: int | None

    @property
    def responded_at(self) -> datetime | None:
        times = [t for t in (self.first_response_at, self.resolved_at) if t is not None]
        return min(times) if times else None

    def on_time(self, today: date) -> bool | None:
        """True/False as defined above; None while pending."""
        responded = self.responded_at
        if responded is not None:
            return responded.astimezone(CHINA).date() <= self.deadline
        return None if today <= self.deadline else False


_SETTLED = exists().where(and_(complaint_events.c.complaint_id == complaints.c.id,
                               complaint_events.c.action == "accept_proposal"))


class StatsRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def _where(self, query: Select[Any], scope: StatsScope) -> Select[Any]:
        query = query.where(complaints.c.submitted_at >= scope.start,
                            complaints.c.submitted_at < scope.end)
        if scope.enterprise_id is not None:
            query = query.where(complaints.c.enterprise_id == scope.enterprise_id)
        if scope.district:
            query = query.where(enterprises.c.district.startswith(scope.district,
                                                                  autoescape=True))
        return query

    async def _grouped(self, column: Any, scope: StatsScope) -> list[tuple[str, int]]:
        query = (select(column, func.count()).select_from(_joined())
                 .group_by(column).order_by(func.count().desc(), column))
        rows = await self._conn.execute(self._where(query, scope))
        return [(str(r[0]), int(r[1])) for r in rows]

    async def total(self, scope: StatsScope) -> int:
        query = select(func.count()).select_from(_joined())
        return int((await self._conn.execute(self._where(query, scope))).scalar_one())

    async def by_category(self, scope: StatsScope) -> list[tuple[str, int]]:
        return await self._grouped(complaints.c.category, scope)

    async def by_nature(self, scope: StatsScope) -> list[tuple[str, int]]:
        return await self._grouped(complaints.c.nature, scope)

    async def by_status(self, scope: StatsScope) -> list[tuple[str, int]]:
        return await self._grouped(complaints.c.status, scope)

    async def by_enterprise(self, scope: StatsScope) -> list[tuple[str, int]]:
        return await self._grouped(complaints.c.enterprise_id, scope)

    async def by_district(self, scope: StatsScope) -> list[tuple[str, int]]:
        return await self._grouped(enterprises.c.district, scope)

    async def records(self, scope: StatsScope, limit: int = 100_000) -> list[CaseRecord]:
        query = (select(complaints.c.reference, complaints.c.enterprise_id,
                        enterprises.c.district, complaints.c.submitted_at,
                        complaints.c.deadline, complaints.c.status, complaints.c.category,
                        complaints.c.nature, complaints.c.source_channel,
                        complaints.c.first_response_at, complaints.c.resolved_at,
                        _SETTLED.label("settled"), complaints.c.rating)
                 .select_from(_joined()).order_by(complaints.c.submitted_at, complaints.c.id)
                 .limit(limit))
        rows = await self._conn.execute(self._where(query, scope))
        return [CaseRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                           bool(r[11]), r[12]) for r in rows]

    async def outcomes(self, scope: StatsScope) -> Outcomes:
        return outcomes_of(await self.records(scope))

    async def timeliness(self, scope: StatsScope, today: date) -> Timeliness:
        return timeliness_of(await self.records(scope), today)

    async def weekly_volume(self, scope: StatsScope) -> list[tuple[date, int]]:
        return weekly_of(await self.records(scope), scope)

    async def activity(self, scope: StatsScope) -> tuple[int, int]:
        """活跃度: (enrolled enterprises in scope, those with an enterprise action in the
        period). The enterprise filter of the scope applies too."""
        firms = select(func.count()).select_from(enterprises).where(
            enterprises.c.enrolled.is_(True))
        if scope.enterprise_id is not None:
            firms = firms.where(enterprises.c.id == scope.enterprise_id)
        if scope.district:
            firms = firms.where(enterprises.c.district.startswith(scope.district,
                                                                  autoescape=True))
        enrolled = int((await self._conn.execute(firms)).scalar_one())
        active = (select(func.count(func.distinct(complaints.c.enterprise_id)))
                  .select_from(_joined().join(complaint_events,
                                              complaint_events.c.complaint_id == complaints.c.id))
                  .where(complaint_events.c.actor == "enterprise",
                         complaint_events.c.at >= scope.start, complaint_events.c.at < scope.end))
        if scope.enterprise_id is not None:
            active = active.where(complaints.c.enterprise_id == scope.enterprise_id)
        if scope.district:
            active = active.where(enterprises.c.district.startswith(scope.district,
                                                                    autoescape=True))
        return enrolled, int((await self._conn.execute(active)).scalar_one())


def _joined() -> Any:
    return complaints.join(enterprises, enterprises.c.id == complaints.c.enterprise_id)


def outcomes_of(records: list[CaseRecord]) -> Outcomes:
    counts: Counter[str] = Counter()
    for record in records:
        if record.settled and record.status in ("settled", "closed"):
            counts["settled"] += 1
        elif record.status in OPEN:
            counts["open"] += 1
        elif record.status == "closed":
            counts["closed_other"] += 1
        elif record.status in ("not_settled", "overdue", "escalated", "withdrawn"):
            counts[record.status] += 1
    return Outcomes(**counts)


def timeliness_of(records: list[CaseRecord], today: date) -> Timeliness:
    verdicts = Counter(record.on_time(today) for record in records)
    waits = [(r.first_response_at - r.submitted_at).total_seconds() for r in records
             if r.first_response_at is not None]
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    return Timeliness(on_time=verdicts[True], late=verdicts[False], pending=verdicts[None],
                      responded=len(waits), median_first_response=median)


def week_of(moment: datetime) -> date:
    """The Monday (China time) of the week a moment falls in."""
    day = moment.astimezone(CHINA).date()
    return day - timedelta(days=day.weekday())


def weekly_of(records: list[CaseRecord], scope: StatsScope) -> list[tuple[date, int]]:
    """Complaints per week over the whole period, weeks without any included (zero)."""
    counts = Counter(week_of(r.submitted_at) for r in records)
    week, last = week_of(scope.start), week_of(scope.end - timedelta(microseconds=1))
    series = []
    while week <= last:
        series.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return series
