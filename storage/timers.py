"""Timer rows of the ODR clock: claimed by one worker, fired once, inside a transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.runner import runner_for
from storage.tables import timers


@dataclass(frozen=True)
class TimerRow:
    id: int
    complaint_id: int
    kind: str
    due_at: datetime
    note: str | None


_EXISTS = select(timers.c.id).where(
    timers.c.complaint_id == bindparam("p_complaint"), timers.c.kind == bindparam("p_kind"),
    timers.c.due_at == bindparam("p_due"))
_ADD = insert(timers).values(
    complaint_id=bindparam("p_complaint"), kind=bindparam("p_kind"),
    due_at=bindparam("p_due"), state="pending", note=bindparam("p_note"))
_CANCEL: dict[tuple[str, ...], Any] = {}


def _cancel(kinds: tuple[str, ...]) -> Any:
    """Cancel a case's pending timers (of these kinds; all when none), built once per
    tuple of kinds (the callers pass module constants)."""
    found = _CANCEL.get(kinds)
    if found is None:
        query = update(timers).where(timers.c.complaint_id == bindparam("p_complaint"),
                                     timers.c.state == "pending")
        if kinds:
            query = query.where(or_(*(timers.c.kind == bindparam(f"p_kind{n}")
                                      for n in range(len(kinds)))))
        found = _CANCEL[kinds] = query.values(state="cancelled")
    return found


class TimerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def add(self, complaint_id: int, kind: str, due_at: datetime,
                  note: str | None = None) -> bool:
        """Plan a timer; planning the same (case, kind, time) again is a no-op."""
        params = {"p_complaint": complaint_id, "p_kind": kind, "p_due": due_at}
        if await self._run.rows(_EXISTS, params):
            return False
        await self._run.run(_ADD, dict(params, p_note=note))
        return True

    async def claim_due(self, now: datetime, limit: int) -> list[TimerRow]:
        """Due timers, locked for this transaction. On PostgreSQL other workers skip the
        locked rows (SKIP LOCKED); SQLite has one writer, whose transaction holds them."""
        query = (select(timers.c.id, timers.c.complaint_id, timers.c.kind, timers.c.due_at,
                        timers.c.note)
                 .where(timers.c.state == "pending", timers.c.due_at <= now)
                 .order_by(timers.c.due_at, timers.c.id).limit(limit))
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = await self._conn.execute(query)
        return [TimerRow(int(r[0]), int(r[1]), r[2], r[3], r[4]) for r in rows]

    async def finish(self, timer_ids: Collection[int], state: str, now: datetime) -> None:
        """Mark timers fired or cancelled (one statement for a sweep's batch)."""
        if timer_ids:
            await self._conn.execute(update(timers).where(timers.c.id.in_(sorted(timer_ids)))
                                     .values(state=state, fired_at=now))

    async def cancel_pending(self, complaint_id: int, kinds: tuple[str, ...] = ()) -> None:
        params: dict[str, Any] = {f"p_kind{n}": kind for n, kind in enumerate(kinds)}
        params["p_complaint"] = complaint_id
        await self._run.run(_cancel(kinds), params)

    async def next_due_at(self) -> datetime | None:
        due: datetime | None = (await self._conn.execute(
            select(func.min(timers.c.due_at)).where(timers.c.state == "pending"))
        ).scalar_one_or_none()
        return due

    async def of_case(self, complaint_id: int) -> list[tuple[str, datetime, str]]:
        rows = await self._conn.execute(
            select(timers.c.kind, timers.c.due_at, timers.c.state)
            .where(timers.c.complaint_id == complaint_id).order_by(timers.c.due_at, timers.c.id))
        return [(r[0], r[1], r[2]) for r in rows]
