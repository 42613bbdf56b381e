"""Telegram's storage: the sent-message → case map, and unreachable identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import identities
from storage.telegram_tables import telegram_sent

CHANNEL = "telegram"


class TelegramRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record_sent(self, chat_id: str, message_id: int, case_ref: str | None,
                          outbox_id: int | None, now: datetime) -> None:
        await self._conn.execute(insert(telegram_sent).values(
            chat_id=chat_id, message_id=message_id, outbox_id=outbox_id, case_ref=case_ref,
            sent_at=now))

    async def case_of(self, chat_id: str, message_id: int) -> str | None:
        row = (await self._conn.execute(
            select(telegram_sent.c.case_ref).where(telegram_sent.c.chat_id == chat_id,
                                                   telegram_sent.c.message_id == message_id)
        )).first()
        return None if row is None else row[0]

    async def mark_unreachable(self, external_id: str) -> bool:
        """The user blocked the bot (403); their next message makes them reachable again."""
        result = await self._conn.execute(
            update(identities)
            .where(identities.c.channel == CHANNEL, identities.c.external_id == external_id)
            .values(reachable=False))
        return bool(result.rowcount)
