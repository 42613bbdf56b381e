"""Replies carried in the answer to the platform's own HTTP request (WeChat's passive
reply), taken out of the outbox so that the relay never sends them as well."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.core.outbound import message_of
from bot.core.ports import OutboxItem, PassiveFit
from storage.messaging import OutboxRepository


async def carry(outbox: OutboxRepository, channel: str, recipient: str, now: datetime,
                fit: PassiveFit, current: Collection[int], *, upto: int | None = None,
                ids: list[int] | None = None) -> list[OutboxItem]:
    """Take what one answer carries: the rows ``fit`` keeps are marked sent, the rest
    become due now for the relay (a photo, or no room left in the answer)."""
    rows = await outbox.take_for_answer(channel, recipient, now, upto=upto, ids=ids)
    items = [OutboxItem(row_id, message_of(channel, recipient, payload))
             for row_id, payload in rows]
    keep = fit(items, current)
    await outbox.put_back([i.id for i in items[keep:]], now)
    return items[:keep]
