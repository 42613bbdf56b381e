"""The rollups' background refresh inside ``serve`` (issue 7): every few seconds it takes
in the changes marked since the last refresh, in bounded batches, so a dashboard page
finds (almost) nothing left to do.

Several workers are safe: on PostgreSQL a refresh holds an advisory lock and a worker that
finds it taken skips its turn; SQLite has one process and one writer. When a pass empties
the queue it records the time it started: every change committed before it is in the
figures (the dashboard's "数据截至").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from storage.rollups import record_as_of, refresh
from storage.uow import Database

log = logging.getLogger(__name__)
EVERY = 5.0  # seconds between passes
BATCH = 2_000  # marks per transaction: short write transactions, even after a backlog


async def drain(db: Database, started: datetime, batch: int | None = BATCH,
                wait: bool = False) -> int | None:
    """Take in every marked change, ``batch`` marks per transaction; returns how many marks,
    or None when another refresh holds the lock (and ``wait`` is false)."""
    total = 0
    while True:
        async with db.unit_of_work() as uow:
            taken = await refresh(uow.connection, batch, wait)
            if taken is None:
                return None if total == 0 else total
            emptied = batch is None or taken < batch
            if emptied and (taken or total):
                await record_as_of(uow.connection, started)
            await uow.commit()
        total += taken
        if emptied:
            return total


class RollupRefresher:
    def __init__(self, db: Database, clock: Callable[[], datetime], every: float = EVERY
                 ) -> None:
        self._db = db
        self._clock = clock
        self._every = every
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                taken = await drain(self._db, self._clock())
                if taken:
                    log.info("rollups: %d changes taken in", taken)
            except Exception:
                log.exception("rollup refresh failed; retrying shortly")
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self._every)
            except TimeoutError:
                pass
