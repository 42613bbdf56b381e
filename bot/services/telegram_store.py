"""The Telegram adapter's storage port (``TelegramStore``) on our database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.core.messages import Channel, OutboundMessage
from bot.core.outbound import payload_of
from storage.telegram import TelegramRepository
from storage.uow import Database

log = logging.getLogger(__name__)
CHANNEL = Channel.TELEGRAM.value


class SqlTelegramStore:
    def __init__(self, db: Database, clock: Callable[[], datetime],
                 wake_relay: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._wake_relay = wake_relay

    async def record_sent(self, chat_id: str, message_id: int, case_ref: str | None) -> None:
        async with self._db.unit_of_work() as uow:
            await TelegramRepository(uow.connection).record_sent(
                chat_id, message_id, case_ref, None, self._clock())
            await uow.commit()

    async def case_of(self, chat_id: str, message_id: int) -> str | None:
        async with self._db.unit_of_work() as uow:
            return await TelegramRepository(uow.connection).case_of(chat_id, message_id)

    async def mark_unreachable(self, user_id: str) -> None:
        async with self._db.unit_of_work() as uow:
            await TelegramRepository(uow.connection).mark_unreachable(user_id)
            await uow.commit()
        log.info("Telegram user %s blocked the bot or never started it: unreachable", user_id)

    async def notify(self, recipient: str, dedupe_key: str, text: str) -> None:
        """An adapter's note through the outbox, recorded under its dedupe key like a turn
        (a redelivered update or a second edit gets no second note)."""
        now = self._clock()
        payload = payload_of(OutboundMessage(Channel.TELEGRAM, recipient, text))
        try:
            async with self._db.unit_of_work() as uow:
                if await uow.receipts.replies_of(CHANNEL, dedupe_key) is not None:
                    return
                row_id = await uow.outbox.add(CHANNEL, recipient, payload, now)
                await uow.receipts.add(CHANNEL, dedupe_key, [{"id": row_id, **payload}], now)
                await uow.commit()
        except IntegrityError:  # another worker recorded the same key first
            return
        self._wake_relay()
