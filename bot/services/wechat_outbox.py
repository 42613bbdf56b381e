"""Storage side of the WeChat channel: the outbox rows a passive reply carries, and the
48-hour customer-service window of each user (``identities.last_inbound_at``).

A passive reply takes rows by marking them sent in one statement that skips rows the
relay has leased; the relay skips rows that are no longer pending. So each row reaches
the user once: in an HTTP answer or through the API, never both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from bot.core.errors import TemporarilyUnavailable
from bot.core.messages import Channel
from bot.core.ports import OutboxItem, PassiveFit
from bot.services.passive import carry
from storage.tables import identities
from storage.uow import Database, UnitOfWork

CHANNEL = Channel.WECHAT.value
WINDOW = timedelta(hours=48) - timedelta(minutes=5)
"""The customer-service window, a little shorter than WeChat's, against clock skew."""


class SqlPassiveOutbox:
    def __init__(self, db: Database, clock: Callable[[], datetime],
                 wake: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._wake = wake

    async def take(self, openid: str, outbox_ids: tuple[int, ...], *, held: bool,
                   fit: PassiveFit) -> list[OutboxItem]:
        """Mark the candidates sent in one statement (it skips rows the relay leased),
        then put back, due now, the ones the reply has no room for (rare)."""
        if not outbox_ids and not held:
            return []
        at = self._clock()
        async with self._db.unit_of_work() as uow:
            items = await carry(uow.outbox, CHANNEL, openid, at, fit, outbox_ids,
                                upto=max(outbox_ids, default=None) if held else None,
                                ids=None if held else list(outbox_ids))
            await uow.commit()
            woken = uow.outbox.due_now > 0
        if woken:
            self._wake()
        return items

    async def release(self, outbox_ids: tuple[int, ...]) -> None:
        if not outbox_ids:
            return
        async with self._db.unit_of_work() as uow:
            await uow.outbox.make_due(list(outbox_ids), self._clock())
            await uow.commit()
        self._wake()

    async def seen(self, message_id: str) -> bool:
        try:
            async with self._db.unit_of_work() as uow:
                return await uow.receipts.replies_of(CHANNEL, message_id) is not None
        except DBAPIError as exc:  # answered 503: WeChat delivers the message again
            raise TemporarilyUnavailable(str(exc)) from exc

    async def unsubscribed(self, openid: str) -> None:
        try:
            async with self._db.unit_of_work() as uow:
                await uow.connection.execute(
                    update(identities)
                    .where(identities.c.channel == CHANNEL, identities.c.external_id == openid)
                    .values(reachable=False))
                await uow.commit()
        except DBAPIError as exc:
            raise TemporarilyUnavailable(str(exc)) from exc


class SqlServiceWindow:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    async def is_open(self, openid: str) -> bool:
        async with self._db.unit_of_work() as uow:
            last = await _last_inbound(uow, openid)
        return last is not None and self._clock() - last < WINDOW

    async def first_notice(self, openid: str) -> bool:
        key = f"wechat:notice:{openid}"
        async with self._db.unit_of_work() as uow:
            marker = (await _last_inbound(uow, openid) or datetime.min).isoformat()
            if await uow.kv.get(key, self._clock()) == marker:
                return False
            await uow.kv.put(key, marker, None)
            await uow.commit()
        return True


async def _last_inbound(uow: UnitOfWork, openid: str) -> datetime | None:
    """When the user last wrote, or None when they cannot be reached (unfollowed)."""
    identity = await uow.identities.get(CHANNEL, openid)
    if identity is None or not identity.reachable:
        return None
    return identity.last_inbound_at
