"""A scripted Telegram client: builds real Update JSON, runs the app against the fake API."""

from __future__ import annotations

import asyncio
import io
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import COMPONENTS, Components, build_app
from bot.channels.telegram import TELEGRAM, TelegramChannel
from bot.config import TelegramConfig
from tests.adapters.telegram.fake_api import BOT_ID, BOT_USERNAME, TOKEN, Call, FakeBotApi
from tests.support.app import app_config, seed_demo
from tests.support.clock import FakeClock

SECRET = "s3cret-Token_for-tests"
USER = 4242


class FakeTimer:
    """The rate limiter's monotonic seconds, read from the test's ``FakeClock`` (the relay's
    clock too), and moved only when the limiter sleeps.

    Before moving, it waits until every granted request has reached the fake API (the
    network is instant in this world), so the API's recorded times are the grant times.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._start = clock()
        self.settle: Callable[[], Awaitable[None]] | None = None

    def __call__(self) -> float:
        return (self.clock() - self._start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        target = self() + seconds
        if self.settle is not None:
            await self.settle()
        if target > self():
            self.clock.advance(seconds=target - self())
        await asyncio.sleep(0)


def _person(user_id: int, lang: str | None) -> dict[str, Any]:
    person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "王芳"}
    if lang:
        person["language_code"] = lang
    return person


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "王芳"}
    return {"id": chat_id, "type": "supergroup", "title": "门店群"}


class Client:
    """One Telegram user: numbers updates and messages like Telegram does."""

    _updates = itertools.count(1000)

    def __init__(self, user_id: int = USER, chat_id: int | None = None,
                 lang: str | None = "zh-hans") -> None:
        self.user_id = user_id
        self.chat_id = chat_id if chat_id is not None else user_id
        self.lang = lang
        self._messages = itertools.count(1)

    def message(self, text: str | None = None, **content: Any) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": next(self._messages), "date": 1_700_000_000,
                               "chat": _chat(self.chat_id),
                               "from": _person(self.user_id, self.lang), **content}
        if text is not None:
            msg["text"] = text
        return {"update_id": next(self._updates), "message": msg}

    def edit(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        edited = dict(update["message"], text=text, edit_date=1_700_000_100)
        return {"update_id": next(self._updates), "edited_message": edited}

    def reply_to(self, text: str, message_id: int, from_id: int = BOT_ID) -> dict[str, Any]:
        replied = {"message_id": message_id, "date": 1_700_000_000, "chat": _chat(self.chat_id),
                   "from": {"id": from_id, "is_bot": True, "first_name": "ODR",
                            "username": BOT_USERNAME}, "text": "…"}
        return self.message(text, reply_to_message=replied)

    def tap(self, call: Call, data: str) -> dict[str, Any]:
        """Tap a button of the message the bot sent with ``call``."""
        keyboard = call.params["reply_markup"]
        message = {"message_id": call.result_id, "date": 1_700_000_000,
                   "chat": _chat(self.chat_id), "text": call.text,
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "ODR"},
                   "reply_markup": keyboard}
        query = {"id": f"cq{next(self._updates)}", "from": _person(self.user_id, self.lang),
                 "chat_instance": "ci", "data": data, "message": message}
        return {"update_id": next(self._updates), "callback_query": query}

    def photo(self, file_id: str, size: int) -> dict[str, Any]:
        sizes = [{"file_id": file_id + "-small", "file_unique_id": "s", "width": 90,
                  "height": 90, "file_size": 100},
                 {"file_id": file_id, "file_unique_id": "b", "width": 800, "height": 800,
                  "file_size": size}]
        return self.message(None, photo=sizes)

    def document(self, file_id: str, size: int, mime: str = "image/png") -> dict[str, Any]:
        return self.message(None, document={"file_id": file_id, "file_unique_id": "d" + file_id,
                                            "file_name": "evidence", "mime_type": mime,
                                            "file_size": size})


@dataclass
class TelegramWorld:
    client: TestClient[web.Request, web.Application]
    parts: Components
    channel: TelegramChannel
    api: FakeBotApi
    timer: FakeTimer
    clock: FakeClock

    async def post(self, update: object, secret: str | None = SECRET,
                   **kwargs: Any) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        raw = isinstance(update, bytes | io.BytesIO)
        body = {"data": update} if raw else {"json": update}
        response = await self.client.post("/telegram", headers=headers, **body, **kwargs)
        return response.status

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot the way the configured mode receives it."""
        if self.channel.config.mode == "webhook":
            assert await self.post(update) == 200
        else:
            self.api.push_update(update)
            for _ in range(1000):
                poller = self.channel.poller
                if poller is not None and (poller.offset or 0) > update["update_id"]:
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the poller did not take the update")
        await self.settle()

    async def settle(self) -> None:
        """Until the relay has delivered everything due (bounded wait, not a timing check)."""
        for _ in range(1000):
            async with self.parts.db.unit_of_work() as uow:
                pending = (await uow.outbox.count_by_status()).get("pending", 0)
            if not pending and self.channel.limiter.in_flight == 0:
                await self.channel.handler.drain()
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the relay did not deliver the outbox")

    async def statuses(self) -> dict[str, int]:
        async with self.parts.db.unit_of_work() as uow:
            return await uow.outbox.count_by_status()


@asynccontextmanager
async def telegram_world(url: str, tmp_path: Path, mode: str = "webhook",
                         ) -> AsyncIterator[TelegramWorld]:
    clock = FakeClock()
    timer = FakeTimer(clock)
    api = FakeBotApi(timer)
    await api.start()
    config = app_config(url, tmp_path, telegram=TelegramConfig(
        enabled=True, token=TOKEN, webhook_secret=SECRET, mode=mode, api_base=api.api_base,
        poll_timeout=1))
    app = build_app(config, clock)
    channel = app[TELEGRAM]
    channel.limiter.set_clock(timer, timer.sleep)
    timer.settle = channel.limiter.wait_quiet
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            parts = app[COMPONENTS]
            await seed_demo(parts, clock)
            await asyncio.wait_for(channel.ready.wait(), timeout=10)
            yield TelegramWorld(client, parts, channel, api, timer, clock)
    finally:
        await api.close()
