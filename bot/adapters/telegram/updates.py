"""Run one update: fetch its photo, find the case it replies to, take the turn.

Shared by the webhook and the polling loop, so both behave the same. Raises
``TemporarilyUnavailable`` when the update should be delivered again later (database down,
Bot API unreachable for a download); the caller answers 503 or keeps the polling offset.
Replies are never sent here: the turn writes them to the outbox and the relay sends them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError

from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.parse import CallbackAck, FileToFetch, Notice, Turn, parse_update
from bot.adapters.telegram.ports import BotIdentity, TelegramStore
from bot.adapters.telegram.sender import chat_ref, is_group
from bot.adapters.telegram.texts import notice
from bot.core.errors import TemporarilyUnavailable
from bot.core.media import MAX_IMAGE_BYTES, MediaRejected, store_image
from bot.core.messages import InboundMessage, MessageKind
from bot.core.ports import Dispatch

log = logging.getLogger(__name__)
DOWNLOAD_SECONDS = 60.0
T = TypeVar("T")


class UpdateHandler:
    def __init__(self, bot: Bot, dispatch: Dispatch, store: TelegramStore, limiter: RateLimiter,
                 media_dir: str, clock: Callable[[], datetime]) -> None:
        self._bot = bot
        self._dispatch = dispatch
        self._store = store
        self._limiter = limiter
        self._media_dir = media_dir
        self._clock = clock
        self.me: BotIdentity | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, update: Update) -> str:
        """Handle one update; return what was done (for logs and tests)."""
        plan = parse_update(update, self.me, self._clock())
        if plan.ack is not None:  # stop the button's spinner at once, whatever follows
            self._background(self._answer_callback(plan.ack.query_id))
        action = plan.action
        if action is None:
            log.debug("update %s ignored: %s", update.update_id, plan.reason)
            return f"ignored: {plan.reason}"
        if isinstance(action, Notice):
            await self._notify(action)
            return f"notice: {action.key}"
        message = await self._prepare(action)
        if isinstance(message, Notice):
            await self._notify(message)
            return f"notice: {message.key}"
        outcome = await self._dispatch(message)
        if plan.ack is not None and not outcome.duplicate:
            self._background(self._mark_choice(plan.ack))
        return "duplicate" if outcome.duplicate else "turn"

    async def _prepare(self, turn: Turn) -> InboundMessage | Notice:
        message = turn.message
        if turn.reply_to_message_id is not None:
            case = await self._guarded(self._store.case_of(message.user_id,
                                                           turn.reply_to_message_id))
            message = replace(message, reply_to=case)
        if turn.fetch is None:
            return message
        return await self._with_media(message, turn.fetch)

    async def _with_media(self, message: InboundMessage, fetch: FileToFetch
                          ) -> InboundMessage | Notice:
        def note(key: str) -> Notice:
            return Notice(message.user_id, message.message_id, key, message.language)

        if fetch.size is not None and fetch.size > MAX_IMAGE_BYTES:
            return note("file_too_large")
        try:
            file = await self._bot.get_file(fetch.file_id)
            data = bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_SECONDS))
        except BadRequest as exc:  # "file is too big", an expired file id
            too_big = "too big" in exc.message.lower()
            return note("file_too_large" if too_big else "file_unavailable")
        except TelegramError as exc:
            raise TemporarilyUnavailable(f"file download failed: {exc.message}") from exc
        if len(data) > MAX_IMAGE_BYTES:
            return note("file_too_large")
        try:
            media = await asyncio.to_thread(store_image, self._media_dir, "telegram", data)
        except MediaRejected:  # a PDF sent "as image": the handlers explain what we take
            return replace(message, kind=MessageKind.UNSUPPORTED)
        return replace(message, kind=MessageKind.IMAGE, media=media)

    async def _notify(self, action: Notice) -> None:
        text = notice(action.key, action.language)
        await self._guarded(self._store.notify(action.recipient, action.dedupe_key, text))

    async def _guarded(self, call: Coroutine[Any, Any, T]) -> T:
        """Storage trouble while handling an update: ask Telegram to deliver it again."""
        try:
            return await call
        except TemporarilyUnavailable:
            raise
        except Exception as exc:
            log.warning("Telegram update storage step failed: %s", type(exc).__name__)
            raise TemporarilyUnavailable(str(exc)) from exc

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramError as exc:  # too old (15 s) or answered: nothing to do
            log.info("answerCallbackQuery failed: %s", exc.message)

    async def _mark_choice(self, ack: CallbackAck) -> None:
        """Show which option was taken and drop the keyboard, so it is not tapped twice."""
        if ack.chat_id is None or ack.message_id is None or not ack.text:
            return
        text = f"{ack.text}\n\n✔ {ack.label}" if ack.label else ack.text
        try:
            async with self._limiter.slot(ack.chat_id, is_group(ack.chat_id)):
                await self._bot.edit_message_text(text, chat_id=chat_ref(ack.chat_id),
                                                  message_id=ack.message_id)
        except TelegramError as exc:
            log.info("could not mark the chosen option: %s", exc.message)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Finish the acknowledgements under way (at shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
