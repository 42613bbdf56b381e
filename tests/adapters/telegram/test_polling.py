"""Long polling: the same handling as the webhook; the offset moves only after a commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Update

from bot.adapters.telegram.client import make_client
from bot.adapters.telegram.polling import Poller
from bot.core.errors import TemporarilyUnavailable
from tests.adapters.telegram.fake_api import TOKEN, FakeBotApi
from tests.adapters.telegram.support import Client, telegram_world


async def test_polling_mode_answers_and_confirms_what_it_handled(sqlite_url: str,
                                                                tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path, mode="polling") as world:
        assert world.api.called("deleteWebhook")  # getUpdates is refused while a webhook is set
        assert (await world.client.post("/telegram", json={})).status in (404, 405)
        user = Client()
        first = user.message("/start")
        await world.deliver(first)
        await world.deliver(user.message("我要投诉"))
        texts = [c.text for c in world.api.sent(str(user.chat_id))]
        assert len(texts) == 3
        assert "好的，我来帮您投诉" in texts[1]
        offsets = [c.params.get("offset") for c in world.api.called("getUpdates")]
        assert str(first["update_id"] + 1) in offsets
        allowed = world.api.called("getUpdates")[0].params["allowed_updates"]
        assert allowed == ["message", "edited_message", "callback_query"]


async def test_an_update_that_could_not_be_committed_is_fetched_again() -> None:
    api = FakeBotApi()
    await api.start()
    client = make_client(TOKEN, api.api_base)
    user = Client()
    first, second = user.message("one"), user.message("two")
    api.push_update(first)
    api.push_update(second)
    handled: list[int] = []
    outages = [True]

    async def handle(update: Update) -> str:
        if update.update_id == second["update_id"] and outages:
            outages.pop()
            raise TemporarilyUnavailable("database down")
        handled.append(update.update_id)
        return "turn"

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    poller = Poller(client.bot, handle, timeout=0, sleep=no_wait)
    task = asyncio.create_task(poller.run())
    try:
        for _ in range(500):
            if poller.offset == second["update_id"] + 1:
                break
            await asyncio.sleep(0.01)
        offsets = [c.params.get("offset") for c in api.called("getUpdates")]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
        await api.close()
    assert handled == [first["update_id"], second["update_id"]]  # none lost, none twice
    # after the outage the poller asked again from the update that failed
    assert offsets[:2] == [None, str(second["update_id"])]
