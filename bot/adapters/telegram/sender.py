"""The Telegram ``Sender``: the outbox relay hands it one ``OutboundMessage`` at a time.

- texts longer than 4096 are split up front on line boundaries (a 400 "message is too
  long" anyway → the part is split smaller and sent again);
- numbered choices ride on the last part as an inline keyboard;
- every send waits for the budgets (``limits``) when the wait is short, and otherwise
  hands the row back to the relay with ``retry_after`` (not counted as an attempt);
  a 429 pauses the whole token and tells the relay when to retry; a 403 (blocked, never started) marks the user unreachable and
  dead-letters the message (falling back to the user's other bound channels is the
  staff-relay issue's work: it reads ``identities.reachable``);
- a photo (an outbox row of kind "photo") goes up as ``sendPhoto`` with its caption, or as
  ``sendDocument`` past Telegram's 10 MB for photos; the file is read from the media
  directory at send time (the row names it, it never carries the bytes);
- every sent message's id is recorded with its case reference, so replies route.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.adapters.telegram.client import retry_after_seconds
from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.ports import Reachability, SentLog
from bot.adapters.telegram.render import MAX_MESSAGE, keyboard, split_text
from bot.core.media import read_stored
from bot.core.messages import MediaRef, OutboundMessage
from bot.core.ports import SendResult

log = logging.getLogger(__name__)
MIN_SPLIT = 256
MAX_INLINE_WAIT = 2.0
"""Longer waits (a 429 pause, a busy group's minute) go back to the relay as retry_after:
the relay's round and its 60 s lease must not hang on one chat."""
PROGRESS_ENTRIES = 1000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
"""sendPhoto's limit; a larger evidence photo (we take up to 20 MB) goes as a document."""


class _Stop(Exception):
    def __init__(self, result: SendResult) -> None:
        super().__init__(result.error)
        self.result = result


def chat_ref(chat_id: str) -> int | str:
    """Numeric ids as numbers; ``@channelname`` stays a string."""
    digits = chat_id.lstrip("-")
    return int(chat_id) if digits.isascii() and digits.isdigit() else chat_id


def is_group(chat_id: str) -> bool:
    """Telegram gives groups, supergroups and channels negative ids, users positive."""
    return chat_id.startswith("-")


class TelegramSender:
    def __init__(self, bot: Bot, limiter: RateLimiter, sent: SentLog,
                 reachability: Reachability) -> None:
        self._bot = bot
        self.limiter = limiter
        self._sent = sent
        self._reachability = reachability
        # Parts already delivered of a split message whose later part failed: the relay
        # retries the whole row, and the reader must not get the first parts twice.
        self._progress: dict[str, int] = {}

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.media is not None:
            return await self._send_photo(message, message.media)
        chat_id = message.recipient
        parts = split_text(message.text)
        key = _progress_key(message)
        done = self._progress.get(key, 0)
        markup = keyboard(message.choices)
        try:
            for index in range(done, len(parts)):
                last = index == len(parts) - 1
                await self._send_text(chat_id, parts[index], markup if last else None,
                                      message.case_ref, MAX_MESSAGE)
                if not last:
                    self._remember(key, index + 1)
        except _Stop as stop:
            return stop.result
        self._progress.pop(key, None)
        return SendResult(ok=True)

    async def _send_photo(self, message: OutboundMessage, media: MediaRef) -> SendResult:
        try:
            data = await asyncio.to_thread(read_stored, media)
        except OSError as exc:  # erased under the retention rule: the text notice went
            return SendResult(ok=False, permanent=True,
                              error=f"photo file unreadable ({type(exc).__name__})")
        chat = chat_ref(message.recipient)
        upload = InputFile(data, filename=f"{media.sha256[:32]}.{media.content_type[6:]}")
        if len(data) > MAX_PHOTO_BYTES:
            def call() -> Awaitable[Message]:
                return self._bot.send_document(chat, upload, caption=message.text)
        else:
            def call() -> Awaitable[Message]:
                return self._bot.send_photo(chat, upload, caption=message.text)
        try:
            await self._deliver(message.recipient, message.case_ref, call)
        except _Stop as stop:
            return stop.result
        return SendResult(ok=True)

    async def _send_text(self, chat_id: str, text: str, markup: InlineKeyboardMarkup | None,
                         case_ref: str | None, limit: int) -> None:
        def call() -> Awaitable[Message]:
            return self._bot.send_message(chat_ref(chat_id), text, reply_markup=markup)

        try:
            await self._deliver(chat_id, case_ref, call, may_split=limit > MIN_SPLIT)
        except BadRequest:  # "message is too long": split smaller and send again
            pieces = split_text(text, limit // 2)
            for number, piece in enumerate(pieces):
                tail = markup if number == len(pieces) - 1 else None
                await self._send_text(chat_id, piece, tail, case_ref, limit // 2)

    async def _deliver(self, chat_id: str, case_ref: str | None,
                       call: Callable[[], Awaitable[Message]], may_split: bool = False) -> None:
        """One Bot API send within the rate budgets; a failure becomes ``_Stop`` with the
        relay's verdict (a "too long" BadRequest is re-raised when ``may_split``)."""
        wait = self.limiter.delay(chat_id, is_group(chat_id))
        if wait > MAX_INLINE_WAIT:
            raise _Stop(SendResult(ok=False, hold=True, retry_after=wait,
                                   error=f"rate budget: next send in {wait:.1f}s"))
        try:
            async with self.limiter.slot(chat_id, is_group(chat_id)):
                sent = await call()
        except TelegramError as exc:
            if may_split and isinstance(exc, BadRequest) and "too long" in exc.message.lower():
                raise
            raise _Stop(await self._failed(chat_id, exc)) from exc
        try:
            await self._sent.record_sent(chat_id, sent.message_id, case_ref)
        except Exception:  # sent is sent: a lost mapping must not cause a second copy
            log.exception("could not record Telegram message %s in chat %s",
                          sent.message_id, chat_id)

    async def _failed(self, chat_id: str, exc: TelegramError) -> SendResult:
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            self.limiter.pause(seconds)
            return SendResult(ok=False, error=f"429 flood control, retry after {seconds:g}s",
                              retry_after=seconds)
        if isinstance(exc, Forbidden):
            await self._reachability.mark_unreachable(chat_id)
            return SendResult(ok=False, error=f"403 {exc.message}", permanent=True)
        if isinstance(exc, ChatMigrated):
            return SendResult(ok=False, permanent=True,
                              error=f"group became supergroup {exc.new_chat_id}")
        if isinstance(exc, BadRequest):
            return SendResult(ok=False, error=f"400 {exc.message}", permanent=True)
        if isinstance(exc, InvalidToken):
            log.error("Telegram refused the bot token: check [telegram] token")
            return SendResult(ok=False, error="401 invalid token", hold=True)
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc.message}")

    def _remember(self, key: str, done: int) -> None:
        if len(self._progress) >= PROGRESS_ENTRIES:
            self._progress.clear()
        self._progress[key] = done


def _progress_key(message: OutboundMessage) -> str:
    digest = hashlib.sha256(message.text.encode()).hexdigest()[:32]
    return f"{message.recipient}:{digest}"
