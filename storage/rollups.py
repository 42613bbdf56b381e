"""Rollups of the regulator's figures (issue 7: ≤ 500 ms a dashboard page at 1,000,000
complaints): the tables ``rollup_*`` hold, per period of submission (day, 旬, month; China
time) and district or enterprise, the counts and sums the dashboard adds up.

How they stay right:
- every change of a complaint (``ComplaintRepository.insert``, ``CaseRepository.update``)
  appends its id to ``rollup_dirty`` in the same transaction — an insert of a new row, so
  concurrent writers never wait on each other; so does an enterprise that moves to another
  district (``EnterpriseRepository.upsert``: all its complaints);
- :func:`refresh` consumes those rows: for each changed complaint it subtracts what the
  complaint added last time (its row in ``rollup_seen``) and adds its new share, on the
  day, 旬 and month rows at once (an upsert of the differences). The cost follows the
  number of changed complaints, not the size of the days they fall on. One refresh runs at
  a time (an advisory lock on PostgreSQL, the single writer on SQLite), so no difference
  is applied twice or lost. A change committed while a refresh runs keeps its mark and is
  taken in by the next refresh.
- ``serve`` refreshes in the background every few seconds (``bot/refresher.py``) and
  records when the queue was last emptied (:func:`as_of`); a page takes in a small queue
  itself, else shows the figures as of that time. ``odrbot stats`` empties the queue first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.messaging import KeyValueRepository
from storage.runner import runner_for
from storage.stats import CHINA
from storage.tables import (
    complaints,
    enterprises,
    rollup_counts,
    rollup_dirty,
    rollup_districts,
    rollup_enterprises,
    rollup_seen,
    rollup_spans,
)

WITH_OUTCOME = ("settled", "not_settled", "overdue", "escalated", "closed")
DIMENSIONS = ("category", "nature", "channel")
CHUNK = 5_000  # complaints per statement (IN lists, executemany)
_LOCK = 7_200_007  # pg_advisory_xact_lock key of the refresh
_AS_OF = "rollups_as_of"
_NEVER = datetime(2999, 1, 1, tzinfo=CHINA)  # the mark never expires
# table -> (its key columns after grain and start, the columns summed, kept by max()).
_SHAPES: dict[Table, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    rollup_districts: (("district",), ("complaints", "due_resolved", "on_time", "unresolved",
                                       "with_outcome", "settled", "rated", "rating_sum"), ()),
    rollup_enterprises: (("enterprise_id",), ("complaints", "due_resolved", "on_time",
                                              "unresolved"), ("district",)),
    rollup_counts: (("district", "dimension", "value"), ("n",), ()),
    rollup_spans: (("district", "measure", "minutes"), ("n",), ()),
}


@dataclass(frozen=True)
class Share:
    """What one complaint adds to the rollups; also its row in ``rollup_seen``."""

    day: date
    enterprise_id: str
    district: str
    category: str
    nature: str
    channel: str
    due_resolved: int
    on_time: int
    unresolved: int
    with_outcome: int
    settled: int
    rated: int
    rating_sum: int
    first_bin: int | None
    resolution_bin: int | None


_MARK = insert(rollup_dirty).values(complaint_id=bindparam("p_complaint"))


async def mark_changed(conn: AsyncConnection, complaint_id: int) -> None:
    """Note that a complaint changed: the next refresh takes in its new share."""
    await runner_for(conn).run(_MARK, {"p_complaint": complaint_id})


async def mark_enterprise_changed(conn: AsyncConnection, enterprise_id: str) -> None:
    """An enterprise moved to another district: every complaint of it changes district."""
    await conn.execute(insert(rollup_dirty).from_select(
        ["complaint_id"], select(complaints.c.id).where(
            complaints.c.enterprise_id == enterprise_id)))


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


async def refresh(conn: AsyncConnection, limit: int | None = None, wait: bool = True
                  ) -> int | None:
    """Take in the changes marked so far (at most ``limit`` marks, oldest first); returns
    how many marks were taken, or None when ``wait`` is false and another refresh holds
    the lock. The caller commits."""
    if conn.dialect.name == "postgresql":
        if wait:
            await conn.execute(select(func.pg_advisory_xact_lock(_LOCK)))
        elif not (await conn.execute(select(func.pg_try_advisory_xact_lock(_LOCK)))).scalar():
            return None
    # The marks taken are exactly those deleted here; a change committed meanwhile keeps
    # its mark for the next refresh (the statements below may already read it: the next
    # refresh then finds nothing to add).
    taking = delete(rollup_dirty)
    if limit is not None:
        taking = taking.where(rollup_dirty.c.id.in_(
            select(rollup_dirty.c.id).order_by(rollup_dirty.c.id).limit(limit)))
    marks = [int(r[0]) for r in await conn.execute(
        taking.returning(rollup_dirty.c.complaint_id))]
    ids = sorted(set(marks))
    for at in range(0, len(ids), CHUNK):
        await _take_in(conn, ids[at:at + CHUNK])
    return len(marks)


async def rebuild(conn: AsyncConnection) -> int:
    """Compute every rollup again from the complaints, a month of submissions at a time
    (its rows are then written once each); returns how many complaints."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(_LOCK)))
    for table in (rollup_dirty, rollup_seen, *_SHAPES):
        await conn.execute(delete(table))
    bounds = (await conn.execute(select(func.min(complaints.c.submitted_at),
                                        func.max(complaints.c.submitted_at)))).one()
    if bounds[0] is None:
        return 0
    month, total = _china_day(bounds[0]).replace(day=1), 0
    while month <= _china_day(bounds[1]):
        following = month_end(month) + timedelta(days=1)
        ids = [int(r[0]) for r in await conn.execute(select(complaints.c.id).where(
            complaints.c.submitted_at >= _midnight(month),
            complaints.c.submitted_at < _midnight(following)))]
        shares: dict[int, Share] = {}
        for at in range(0, len(ids), CHUNK):
            shares.update(await _current(conn, ids[at:at + CHUNK]))
        deltas = _Deltas()
        for share in shares.values():
            deltas.add(share, +1)
        await _apply(conn, deltas, prune=False)
        await _remember(conn, shares)
        total, month = total + len(shares), following
    return total


async def as_of(conn: AsyncConnection) -> datetime | None:
    """When the queue of changes was last emptied: every change committed before then is
    in the rollups."""
    value = await KeyValueRepository(conn).get(_AS_OF, _NEVER)
    return None if value is None else datetime.fromisoformat(value)


async def record_as_of(conn: AsyncConnection, moment: datetime) -> None:
    """Called under the refresh lock, in the transaction that emptied the queue."""
    await KeyValueRepository(conn).put(_AS_OF, moment.isoformat(), None)


async def _take_in(conn: AsyncConnection, ids: list[int]) -> None:
    """Apply the difference between what these complaints added and what they add now."""
    old = await _seen(conn, ids)
    new = await _current(conn, ids)
    changed = [i for i in ids if old.get(i) != new.get(i)]
    if not changed:
        return
    deltas = _Deltas()
    for complaint_id in changed:
        if complaint_id in old:
            deltas.add(old[complaint_id], -1)
        if complaint_id in new:
            deltas.add(new[complaint_id], +1)
    await _apply(conn, deltas)
    await conn.execute(delete(rollup_seen).where(rollup_seen.c.complaint_id.in_(changed)))
    await _remember(conn, {i: new[i] for i in changed if i in new})


async def _remember(conn: AsyncConnection, shares: dict[int, Share]) -> None:
    rows = [dict(asdict(share), complaint_id=i) for i, share in shares.items()]
    for at in range(0, len(rows), CHUNK):
        await conn.execute(insert(rollup_seen), rows[at:at + CHUNK])


async def _seen(conn: AsyncConnection, ids: list[int]) -> dict[int, Share]:
    rows = await conn.execute(select(rollup_seen).where(rollup_seen.c.complaint_id.in_(ids)))
    return {int(r["complaint_id"]): Share(**{k: v for k, v in r.items() if k != "complaint_id"})
            for r in rows.mappings()}


async def _current(conn: AsyncConnection, ids: list[int]) -> dict[int, Share]:
    rows = await conn.execute(
        select(complaints.c.id, complaints.c.enterprise_id, enterprises.c.district,
               complaints.c.status, complaints.c.category, complaints.c.nature,
               complaints.c.channel, complaints.c.submitted_at, complaints.c.first_response_at,
               complaints.c.resolved_at, complaints.c.resolved_on_time,
               complaints.c.settled_at, complaints.c.rating)
        .select_from(complaints.join(enterprises,
                                     enterprises.c.id == complaints.c.enterprise_id))
        .where(complaints.c.id.in_(ids)))
    return {int(r["id"]): share_of(r) for r in rows.mappings()}


def share_of(r: Any) -> Share:
    """A complaint's share: the facts the regulator's figures count (withdrawn cases count
    as complaints but are never due)."""
    counted = r["status"] != "withdrawn"
    resolved = r["resolved_on_time"]
    return Share(
        _china_day(r["submitted_at"]), r["enterprise_id"], r["district"], r["category"],
        r["nature"], r["channel"], due_resolved=int(counted and resolved is not None),
        on_time=int(counted and resolved is True), unresolved=int(counted and resolved is None),
        with_outcome=int(r["status"] in WITH_OUTCOME), settled=int(r["settled_at"] is not None),
        rated=int(r["rating"] is not None), rating_sum=r["rating"] or 0,
        first_bin=_bin(r["submitted_at"], r["first_response_at"]),
        resolution_bin=_bin(r["submitted_at"], r["resolved_at"]))


def _bin(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else span_bin(int((end - start).total_seconds() // 60))


def _parts(s: Share) -> Iterator[tuple[Table, tuple[Any, ...], dict[str, int]]]:
    """The rollup rows a share adds to (their keys after grain and start) and by how much."""
    facts = {"complaints": 1, "due_resolved": s.due_resolved, "on_time": s.on_time,
             "unresolved": s.unresolved}
    yield rollup_enterprises, (s.enterprise_id,), facts
    yield rollup_districts, (s.district,), dict(
        facts, with_outcome=s.with_outcome, settled=s.settled, rated=s.rated,
        rating_sum=s.rating_sum)
    for dimension in DIMENSIONS:
        yield rollup_counts, (s.district, dimension, getattr(s, dimension)), {"n": 1}
    for measure, edge in (("first", s.first_bin), ("resolution", s.resolution_bin)):
        if edge is not None:
            yield rollup_spans, (s.district, measure, edge), {"n": 1}


class _Deltas:
    """Differences per rollup row (grain, start, key…), summed over the changed complaints."""

    def __init__(self) -> None:
        self.sums: dict[Table, dict[tuple[Any, ...], Counter[str]]] = {t: {} for t in _SHAPES}
        self.district: dict[str, str] = {}  # an enterprise row's district: the newest seen

    def add(self, share: Share, sign: int) -> None:
        periods = (("d", share.day), ("t", dekad_of(share.day)),
                   ("m", share.day.replace(day=1)))
        for table, key, values in _parts(share):
            for grain, start in periods:
                counts = self.sums[table].setdefault((grain, start, *key), Counter())
                for name, value in values.items():
                    counts[name] += sign * value
        if sign > 0 or share.enterprise_id not in self.district:
            self.district[share.enterprise_id] = share.district


async def _apply(conn: AsyncConnection, deltas: _Deltas, prune: bool = True) -> None:
    """Add the differences (an upsert per row), then drop the rows left empty (only a
    subtraction can empty one: ``prune``)."""
    for table, groups in deltas.sums.items():
        if not groups:
            continue
        keys, measures, _kept = _SHAPES[table]
        rows = [dict(zip(("grain", "start", *keys), key, strict=True),
                     **{m: counts[m] for m in measures}) for key, counts in groups.items()]
        if table is rollup_enterprises:
            for row in rows:
                row["district"] = deltas.district[row["enterprise_id"]]
        for at in range(0, len(rows), CHUNK):
            await conn.execute(_upsert(conn, table, keys, measures), rows[at:at + CHUNK])
        if not prune:
            continue
        starts: dict[str, set[date]] = {}
        for grain, start, *_key in groups:
            starts.setdefault(grain, set()).add(start)
        await conn.execute(delete(table).where(table.c[measures[0]] == 0, or_(*(
            (table.c.grain == grain) & table.c.start.in_(sorted(days))
            for grain, days in starts.items()))))


def _upsert(conn: AsyncConnection, table: Table, keys: Iterable[str],
            measures: Iterable[str]) -> Any:
    statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
    values = {m: table.c[m] + statement.excluded[m] for m in measures}
    if table is rollup_enterprises:
        values["district"] = statement.excluded.district
    return statement.on_conflict_do_update(index_elements=["grain", "start", *keys],
                                           set_=values)


def _china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA)
