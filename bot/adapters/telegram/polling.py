"""Long polling (``mode = "polling"``) for development: no public URL needed.

Each update is handled (its turn committed) before the offset moves past it, so a crash
or a database outage loses nothing: Telegram hands the unconfirmed updates out again and
the ``update_id`` dedupe keeps them from acting twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import Conflict, RetryAfter, TelegramError

from bot.adapters.telegram.client import retry_after_seconds
from bot.core.errors import TemporarilyUnavailable

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
RETRY_SECONDS = 2.0
MAX_BACKOFF = 60.0


class Poller:
    def __init__(self, bot: Bot, handle: Callable[[Update], Awaitable[object]], timeout: int,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._sleep = sleep
        self.offset: int | None = None

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset, timeout=self._timeout,
                    allowed_updates=list(ALLOWED_UPDATES))
            except RetryAfter as exc:
                await self._sleep(retry_after_seconds(exc))
                continue
            except Exception as exc:  # network, 5xx, a 409 while a webhook is set …
                failures += 1
                _explain(exc)
                await self._sleep(min(MAX_BACKOFF, RETRY_SECONDS * 2 ** min(failures, 5)))
                continue
            failures = 0
            await self.handle_batch(updates)

    async def handle_batch(self, updates: Sequence[Update]) -> None:
        for update in updates:
            try:
                await self._handle(update)
            except TemporarilyUnavailable as exc:
                log.warning("update %s not handled (%s); fetching it again", update.update_id,
                            exc)
                await self._sleep(RETRY_SECONDS)
                return  # the offset stays: Telegram delivers this update again
            except Exception:  # an adapter bug: log it and go on rather than loop forever
                log.exception("update %s could not be handled; skipped", update.update_id)
            self.offset = update.update_id + 1


def _explain(exc: Exception) -> None:
    if isinstance(exc, Conflict):
        log.error("getUpdates refused (%s): a webhook is set or another poller runs; "
                  "`odrbot telegram delete-webhook` clears the webhook", exc.message)
    elif isinstance(exc, TelegramError):
        log.warning("getUpdates failed: %s", exc.message)
    else:
        log.exception("getUpdates failed")
