"""Temporary media ids of uploaded photos, shared by every worker through the ``kv`` table.

WeChat keeps temporary media 3 days; an id is reused for 2.5 days (a margin for clocks
and for a send that starts just before the end), so the same photo going to several
staff members, or retried, is uploaded once (issue 6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete

from storage.tables import kv
from storage.uow import Database

REUSE_FOR = timedelta(days=2, hours=12)


class KvMediaCache:
    def __init__(self, db: Database, clock: Callable[[], datetime], app_id: str) -> None:
        self._db = db
        self._clock = clock
        self._prefix = f"wxmedia:{app_id[:24]}:"

    async def get(self, sha256: str) -> str | None:
        async with self._db.unit_of_work() as uow:
            return await uow.kv.get(self._prefix + sha256, self._clock()) or None

    async def put(self, sha256: str, media_id: str) -> None:
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            # Forget the ids of this account that nobody may reuse any more.
            await uow.connection.execute(delete(kv).where(
                kv.c.key.startswith(self._prefix, autoescape=True), kv.c.expires_at <= now))
            await uow.kv.put(self._prefix + sha256, media_id, now + REUSE_FOR)
            await uow.commit()

    async def forget(self, sha256: str) -> None:
        async with self._db.unit_of_work() as uow:
            await uow.connection.execute(delete(kv).where(kv.c.key == self._prefix + sha256))
            await uow.commit()
