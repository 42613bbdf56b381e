"""Storage side of the WeChat channel: the outbox rows a passive reply carries, and the
48-hour customer-service window of each user (``identities.last_inbound_at``).

A passive reply takes rows by marking them sent in one statement that skips rows the
relay has leased; the relay skips rows that are no longer pending. So each row reaches
the user once: in an HTTP answer or through the API, never both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.adapters.wechat.ports import OutboxItem, PassiveFit
from bot.core.errors import TemporarilyUnavailable
from bot.core.messages import Channel
from bot.core.outbound import message_of
from storage.tables import identities, outbox
from storage.uow import Database

CHANNEL = Channel.WECHAT.value
WINDOW = timedelta(hours=48) - timedelta(minutes=5)
"""The customer-service window, a little shorter than WeChat's, against clock skew."""
MAX_CANDIDATES = 50


# Built once: a statement object reused keeps its cache key (this runs on every message).
_FREE = (outbox.c.channel == CHANNEL, outbox.c.recipient == bindparam("openid"),
         outbox.c.status == "pending",
         or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < bindparam("at")))
_OLDEST_UPTO = (select(outbox.c.id).where(*_FREE, outbox.c.id <= bindparam("upto"))
                .order_by(outbox.c.id).limit(MAX_CANDIDATES))
_EXACTLY = select(outbox.c.id).where(*_FREE, outbox.c.id.in_(bindparam("ids", expanding=True)))
_SENT = {"status": "sent", "sent_at": bindparam("at"), "attempts": outbox.c.attempts + 1}
# The conditions again on the outer statement: PostgreSQL re-checks those (not the
# subquery's) on a row the relay changed concurrently, so a leased row is skipped.
_TAKE_HELD = (update(outbox).where(outbox.c.id.in_(_OLDEST_UPTO), *_FREE).values(_SENT)
              .returning(outbox.c.id, outbox.c.payload))
_TAKE_EXACTLY = (update(outbox).where(outbox.c.id.in_(_EXACTLY), *_FREE).values(_SENT)
                 .returning(outbox.c.id, outbox.c.payload))
_PUT_BACK = (update(outbox).where(outbox.c.id.in_(bindparam("ids", expanding=True)))
             .values(status="pending", sent_at=None, attempts=outbox.c.attempts - 1,
                     next_attempt_at=bindparam("at")))
_DUE_NOW = (update(outbox).where(outbox.c.id.in_(bindparam("ids", expanding=True)),
                                 outbox.c.status == "pending")
            .values(next_attempt_at=bindparam("at")))
NO_LIMIT = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


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
        if held:  # not the rows of a later message of the same user
            statement = _TAKE_HELD
            params = {"openid": openid, "at": at, "upto": max(outbox_ids, default=NO_LIMIT)}
        else:
            statement = _TAKE_EXACTLY
            params = {"openid": openid, "at": at, "ids": list(outbox_ids)}
        async with self._db.unit_of_work() as uow:
            rows = sorted((await uow.connection.execute(statement, params)).all())
            items = [OutboxItem(int(r[0]), message_of(CHANNEL, openid, dict(r[1])))
                     for r in rows]
            keep = fit(items)
            rest = [i.id for i in items[keep:]]
            if rest:  # no room: the window is open now, the API sends them at once
                await uow.connection.execute(_PUT_BACK, {"ids": rest, "at": at})
            await uow.commit()
        if rest:
            self._wake()
        return items[:keep]

    async def release(self, outbox_ids: tuple[int, ...]) -> None:
        if not outbox_ids:
            return
        async with self._db.unit_of_work() as uow:
            await uow.connection.execute(_DUE_NOW, {"ids": list(outbox_ids),
                                                    "at": self._clock()})
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
            last = await _last_inbound(uow.connection, openid)
        return last is not None and self._clock() - last < WINDOW

    async def first_notice(self, openid: str) -> bool:
        key = f"wechat:notice:{openid}"
        async with self._db.unit_of_work() as uow:
            marker = (await _last_inbound(uow.connection, openid) or datetime.min).isoformat()
            if await uow.kv.get(key, self._clock()) == marker:
                return False
            await uow.kv.put(key, marker, None)
            await uow.commit()
        return True


async def _last_inbound(conn: AsyncConnection, openid: str) -> datetime | None:
    """When the user last wrote, or None when they cannot be reached (unfollowed)."""
    row = (await conn.execute(
        select(identities.c.last_inbound_at, identities.c.reachable)
        .where(identities.c.channel == CHANNEL, identities.c.external_id == openid))).first()
    if row is None or not row[1]:
        return None
    return row[0]  # type: ignore[no-any-return]
