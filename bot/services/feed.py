"""The outbox as a pull feed (the web chat's event stream reads it)."""

from __future__ import annotations

from bot.core.messages import Channel, MediaRef
from bot.core.outbound import message_of
from bot.core.ports import FeedItem
from storage.messaging import OutboxRepository
from storage.uow import Database


class OutboxFeed:
    def __init__(self, db: Database, channel: Channel) -> None:
        self._db = db
        self._channel = channel

    async def after(self, recipient: str, after_id: int) -> list[FeedItem]:
        async with self._db.engine.connect() as conn:
            rows = await OutboxRepository(conn).feed(self._channel.value, recipient, after_id)
        return [FeedItem(r.id, message_of(r.channel, r.recipient, r.payload)) for r in rows]

    async def photo(self, recipient: str, item_id: int) -> MediaRef | None:
        """Only a row addressed to ``recipient``: a session sees its own photos only."""
        async with self._db.engine.connect() as conn:
            rows = await OutboxRepository(conn).feed(self._channel.value, recipient,
                                                     item_id - 1, limit=1)
        if not rows or rows[0].id != item_id:
            return None
        return message_of(rows[0].channel, recipient, rows[0].payload).media
