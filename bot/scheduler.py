"""The scheduler inside ``serve``: fires due timers of the ODR clock.

Timers are rows, so nothing is lost over a restart and a sweep after downtime catches up
(each overdue timer fires once). Several workers are safe: on PostgreSQL each claims rows
with ``FOR UPDATE SKIP LOCKED``; on SQLite the single writer transaction serializes them.
A timer is marked in the same transaction as its effects (outbox rows, state changes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.services.clock import ClockService
from bot.services.timing import Timing
from storage.uow import Database

log = logging.getLogger(__name__)
BATCH = 200
MAX_SLEEP = 60.0


class Scheduler:
    def __init__(self, db: Database, timing: Timing, clock: Callable[[], datetime],
                 on_commit: Callable[[], None] = lambda: None) -> None:
        self._db = db
        self._timing = timing
        self._clock = clock
        self._on_commit = on_commit
        self._wake = asyncio.Event()
        self._stopping = False

    async def sweep(self) -> int:
        """Fire everything due now, in batches; return how many timers fired."""
        fired = 0
        while True:
            now = self._clock()
            async with self._db.unit_of_work() as uow:
                due = await uow.timers.claim_due(now, BATCH)
                done = await ClockService(uow, now, self._timing).fire_all(due)
                for state, outcome in (("fired", True), ("cancelled", False)):
                    await uow.timers.finish(
                        [t.id for t, d in zip(due, done, strict=True) if d is outcome], state, now)
                await uow.commit()
                fired += sum(done)
            if due:
                self._on_commit()
            if len(due) < BATCH:
                return fired

    async def seconds_to_next(self) -> float:
        async with self._db.unit_of_work() as uow:
            due = await uow.timers.next_due_at()
        if due is None:
            return MAX_SLEEP
        return max(0.0, min(MAX_SLEEP, (due - self._clock()).total_seconds()))

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                fired = await self.sweep()
                if fired:
                    log.info("ODR clock: %d timers fired", fired)
                delay = await self.seconds_to_next()
            except Exception:
                log.exception("scheduler sweep failed; retrying shortly")
                delay = 5.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass
