"""Wiring of the Telegram channel (issue 4): adapter + storage + the app's lifecycle.

- webhook mode: ``POST /telegram``; polling mode: a background ``getUpdates`` loop;
- at start (in the background, retried until Telegram answers): ``getMe`` (the bot's
  username, to see group mentions), ``setMyCommands`` in Chinese and English, and in
  polling mode ``deleteWebhook`` (getUpdates is refused while a webhook is set);
- the sender goes into ``senders[Channel.TELEGRAM]`` for the outbox relay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from telegram.error import TelegramError

from bot.adapters.telegram.client import BotClient, identity, make_client, register_commands
from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.polling import Poller
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.telegram.updates import UpdateHandler
from bot.adapters.telegram.webhook import TelegramWebhook
from bot.config import TelegramConfig
from bot.core.messages import Channel
from bot.core.ports import Dispatch
from bot.services.telegram_store import SqlTelegramStore

log = logging.getLogger(__name__)
START_RETRY_MAX = 60.0


class TelegramChannel:
    """The Telegram pieces of one application, started and stopped with it."""

    def __init__(self, config: TelegramConfig, client: BotClient, limiter: RateLimiter,
                 sender: TelegramSender, handler: UpdateHandler) -> None:
        self.config = config
        self.client = client
        self.limiter = limiter
        self.sender = sender
        self.handler = handler
        self.poller: Poller | None = None
        self.ready = asyncio.Event()
        """Set once getMe and setMyCommands succeeded (tests wait on it)."""
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._task: asyncio.Task[None] | None = None

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        self._task = asyncio.create_task(self._run(), name="telegram")
        try:
            yield
        finally:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            await self.handler.drain()

    async def client_lifetime(self, app: web.Application) -> AsyncIterator[None]:
        """Outlives the relay (installed first, so torn down last): the relay may be
        sending through the Bot until it stops."""
        try:
            yield
        finally:
            await self.client.close()

    async def _run(self) -> None:
        await self._start()
        if self.config.mode == "polling":
            self.poller = Poller(self.client.bot, self.handler.handle, self.config.poll_timeout,
                                 sleep=self.sleep)
            await self.poller.run()

    async def _start(self) -> None:
        delay = 1.0
        while True:
            try:
                me = await identity(self.client.bot)
                self.handler.me = me
                await register_commands(self.client.bot)
                if self.config.mode == "polling":
                    await self.client.bot.delete_webhook()
                break
            except TelegramError as exc:
                log.warning("Telegram start-up call failed (%s); retrying in %.0fs",
                            exc.message, delay)
                await self.sleep(delay)
                delay = min(START_RETRY_MAX, delay * 2)
        log.info("Telegram bot @%s ready (%s mode)", me.username, self.config.mode)
        self.ready.set()


TELEGRAM = web.AppKey("telegram", TelegramChannel)


def install(app: web.Application, dispatch: Dispatch) -> None:
    from bot.app import COMPONENTS

    parts = app[COMPONENTS]
    config = parts.config.telegram
    client = make_client(config.token, config.api_base, config.proxy)
    limiter = RateLimiter()
    store = SqlTelegramStore(parts.db, parts.clock, parts.relay.wake)
    sender = TelegramSender(client.bot, limiter, store, store)
    handler = UpdateHandler(client.bot, dispatch, store, limiter, parts.config.media.dir,
                            parts.clock)
    channel = TelegramChannel(config, client, limiter, sender, handler)
    app[TELEGRAM] = channel
    parts.senders[Channel.TELEGRAM] = sender
    if config.mode == "webhook":
        app.add_routes(TelegramWebhook(handler, config.webhook_secret, client.bot).routes())
    app.cleanup_ctx.insert(0, channel.client_lifetime)
    app.cleanup_ctx.append(channel.lifecycle)
