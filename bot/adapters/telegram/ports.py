"""What the Telegram adapter needs from storage, as ports (wired in ``bot.channels``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BotIdentity:
    """The bot's own account (``getMe``): needed to tell whether a group addressed it."""

    id: int
    username: str


class SentLog(Protocol):
    """Our own record of sent messages: (chat, Telegram message id) → case reference.

    A staff member's reply to a relayed message is routed with this, never with forward
    metadata (which users can hide or forge)."""

    async def record_sent(self, chat_id: str, message_id: int, case_ref: str | None) -> None: ...

    async def case_of(self, chat_id: str, message_id: int) -> str | None: ...


class Reachability(Protocol):
    async def mark_unreachable(self, user_id: str) -> None:
        """403: the user blocked the bot or never started it."""
        ...


class Notices(Protocol):
    async def notify(self, recipient: str, dedupe_key: str, text: str) -> None:
        """Queue a note of the adapter's own (through the outbox), once per ``dedupe_key``."""
        ...


class TelegramStore(SentLog, Reachability, Notices, Protocol):
    """Everything storage-backed the adapter uses."""
