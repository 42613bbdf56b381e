"""Confirming outbox rows that were delivered another way (a passive HTTP reply)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.uow import Database


class OutboxConfirm:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    async def __call__(self, outbox_ids: tuple[int, ...]) -> None:
        if not outbox_ids:
            return
        async with self._db.unit_of_work() as uow:
            await uow.outbox.mark_sent_by_ids(list(outbox_ids), self._clock())
            await uow.commit()
