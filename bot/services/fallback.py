"""When a chat cannot be reached, the message goes to the person's other chats.

Telegram 403 (blocked, never started) dead-letters a message; a closed WeChat
customer-service window holds it (DESIGN §4: "for staff fall back to the other channels
they bound"). Staff who bound several chats get a copy on the others, and the original is
closed with the reason; a consumer's other identities likewise. A copy is never rerouted
again, so two unreachable chats cannot bounce a message back and forth."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.ports import SendResult
from storage.messaging import OutboxRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
CHAT_CHANNELS = frozenset({"wechat", "telegram", "web"})


async def reroute(uow: UnitOfWork, row: OutboxRow, result: SendResult, now: datetime) -> bool:
    """Copy the message to the recipient's other reachable chats; True when it did."""
    if row.payload.get("rerouted_from") or row.channel not in CHAT_CHANNELS:
        return False
    identity = await uow.identities.get(row.channel, row.recipient)
    if identity is None:
        return False
    member = await uow.staff.of_identity(identity.id)
    if member is not None:
        others = [(b.channel, b.external_id) for b in
                  await uow.staff.bound_identities_of_staff(member.id) if b.reachable]
    else:
        others = [(i.channel, i.external_id) for i in
                  await uow.identities.of_consumer(identity.consumer_id) if i.reachable]
    targets = [t for t in others if t != (row.channel, row.recipient)]
    for channel, recipient in targets:
        await uow.outbox.add(channel, recipient, dict(row.payload, rerouted_from=row.id), now)
    if targets:
        log.info("outbox row %s (%s) rerouted to %d other chat(s): %s", row.id, row.channel,
                 len(targets), result.error)
    return bool(targets)
