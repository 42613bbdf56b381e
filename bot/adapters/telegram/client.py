"""The Bot API client (python-telegram-bot's ``Bot``), always pointed at ``api_base``.

``base_url`` is built from the config so tests and staging never reach api.telegram.org.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, BotCommand, BotCommandScopeDefault
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram.ports import BotIdentity
from bot.adapters.telegram.texts import COMMANDS

SEND_POOL = 64
"""Concurrent Bot API connections for sends (the relay sends up to 32 rows at once)."""


@dataclass(frozen=True)
class BotClient:
    """The ``Bot`` and the HTTP clients it owns, closed together."""

    bot: Bot
    requests: tuple[HTTPXRequest, ...]

    async def close(self) -> None:
        # Bot.shutdown() skips closing when the Bot was never initialized (Telegram was
        # unreachable at start), so the HTTP clients are closed here in any case.
        await self.bot.shutdown()
        for request in self.requests:
            await request.shutdown()


def make_client(token: str, api_base: str, proxy: str = "") -> BotClient:
    # PTB 22 warns on every 429 that ``retry_after`` will become a timedelta; we opt in to
    # the new type now (as PTB advises) and read both forms in ``retry_after_seconds``.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs every request URL at INFO, and a Bot API URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    base = api_base.rstrip("/")
    proxy_url = proxy or None
    sends = HTTPXRequest(connection_pool_size=SEND_POOL, proxy=proxy_url, read_timeout=15.0,
                         media_write_timeout=30.0)
    # PTB adds the long-poll timeout of getUpdates to this read timeout.
    polls = HTTPXRequest(connection_pool_size=1, proxy=proxy_url, read_timeout=10.0)
    bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
              request=sends, get_updates_request=polls)
    return BotClient(bot, (sends, polls))


def retry_after_seconds(error: RetryAfter) -> float:
    """The 429's ``retry_after`` in seconds (PTB 22 warns on this attribute's type change:
    we accept both the int and the future timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


async def identity(bot: Bot) -> BotIdentity:
    me = await bot.get_me()
    return BotIdentity(me.id, me.username or "")


async def register_commands(bot: Bot) -> None:
    """The command menu, in Chinese (default) and English (``language_code`` "en")."""
    zh = [BotCommand(name, desc) for name, desc, _ in COMMANDS]
    en = [BotCommand(name, desc) for name, _, desc in COMMANDS]
    await bot.set_my_commands(zh, scope=BotCommandScopeDefault())
    await bot.set_my_commands(en, scope=BotCommandScopeDefault(), language_code="en")
