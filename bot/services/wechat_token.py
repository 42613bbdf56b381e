"""The WeChat access token, shared by every worker through the ``kv`` table.

Each fetch of a new token invalidates the previous one after a short overlap (DESIGN §4),
so exactly one worker refreshes at a time: a transaction-scoped advisory lock on
PostgreSQL, the single writer transaction (``BEGIN IMMEDIATE``) on SQLite. A worker that
waited on the lock finds the token another worker stored and does not fetch again.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text as sql

from bot.adapters.wechat.ports import TokenFetch
from storage.uow import Database, UnitOfWork

EARLY_REFRESH = timedelta(minutes=5)
"""Refresh this long before WeChat's expiry, so no call goes out with a dying token."""
MIN_LIFETIME = timedelta(seconds=60)


class KvTokenCache:
    def __init__(self, db: Database, clock: Callable[[], datetime], app_id: str) -> None:
        self._db = db
        self._clock = clock
        self._key = f"wechat:access_token:{app_id}"[:100]
        self._lock_id = zlib.crc32(self._key.encode()) & 0x7FFFFFFF
        self._memory: tuple[str, datetime] | None = None

    async def get(self) -> str | None:
        now = self._clock()
        if self._memory is not None and self._memory[1] > now:
            return self._memory[0]
        async with self._db.unit_of_work() as uow:
            self._memory = await self._stored(uow, now)
        return None if self._memory is None else self._memory[0]

    async def refresh(self, stale: str | None, fetch: TokenFetch) -> str:
        async with self._db.unit_of_work() as uow:
            await self._lock(uow)
            stored = await self._stored(uow, self._clock())
            if stored is not None and stored[0] != stale:
                self._memory = stored  # another worker refreshed while we waited
                return stored[0]
            token = await fetch()
            now = self._clock()
            expires_at = now + max(MIN_LIFETIME,
                                   timedelta(seconds=token.expires_in) - EARLY_REFRESH)
            value = json.dumps({"token": token.value, "expires_at": expires_at.isoformat()})
            await uow.kv.put(self._key, value, expires_at)
            await uow.commit()
        self._memory = (token.value, expires_at)
        return token.value

    async def _lock(self, uow: UnitOfWork) -> None:
        """SQLite: the unit of work already holds the database's only write lock."""
        if not self._db.sqlite:
            await uow.connection.execute(sql("SELECT pg_advisory_xact_lock(:id)"),
                                         {"id": self._lock_id})

    async def _stored(self, uow: UnitOfWork, now: datetime) -> tuple[str, datetime] | None:
        raw = await uow.kv.get(self._key, now)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            return str(entry["token"]), datetime.fromisoformat(entry["expires_at"])
        except (ValueError, KeyError, TypeError):
            return None
