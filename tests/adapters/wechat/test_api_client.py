"""The async API client and the access token all workers share (SQLite and PostgreSQL):
one fetch for concurrent workers, a rejected token refreshed once and the call retried,
and ``odrbot wechat menu``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.adapters.wechat.api import WechatApi, WechatApiError
from bot.cli import main
from bot.services.wechat_token import KvTokenCache
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database
from tests.adapters.wechat.client import AES_KEY, TOKEN
from tests.adapters.wechat.fake_api import APP_ID, APP_SECRET, FakeWechatApi
from tests.support.clock import FakeClock


@asynccontextmanager
async def worker(url: str, fake: FakeWechatApi, clock: FakeClock,
                 endpoint: str = "stable_token") -> AsyncIterator[WechatApi]:
    """One worker process: its own engine, token cache and HTTP session."""
    db = Database(create_engine(url))
    await upgrade(db.engine)
    api = WechatApi(fake.url, APP_ID, APP_SECRET, KvTokenCache(db, clock, APP_ID), endpoint)
    await api.start()
    try:
        yield api
    finally:
        await api.close()
        await db.dispose()


async def test_concurrent_workers_fetch_the_token_once(database_url: str,
                                                       fake_wechat: FakeWechatApi) -> None:
    clock = FakeClock()
    async with worker(database_url, fake_wechat, clock) as one, \
            worker(database_url, fake_wechat, clock) as two:
        fake_wechat.token_gate = asyncio.Event()  # the first fetch waits on the fake
        first = asyncio.create_task(one.send_text("oUser-1", "甲"))
        await fake_wechat.token_requested.wait()  # …while holding the refresh lock
        second = asyncio.create_task(two.send_text("oUser-2", "乙"))
        fake_wechat.token_gate.set()
        await asyncio.gather(first, second)
        assert fake_wechat.token_fetches == 1
        assert sorted(s.touser for s in fake_wechat.of("custom/send")) == ["oUser-1", "oUser-2"]


async def test_rejected_token_is_refreshed_once_and_the_call_retried(
        database_url: str, fake_wechat: FakeWechatApi) -> None:
    clock = FakeClock()
    async with worker(database_url, fake_wechat, clock) as api:
        await api.send_text("oUser-1", "一")
        fake_wechat.revoke_tokens()  # e.g. someone fetched a token with the same secret
        await api.send_text("oUser-1", "二")
        assert (fake_wechat.token_fetches, fake_wechat.forced_fetches) == (2, 1)
        fake_wechat.fail("/cgi-bin/message/custom/send", 42001, 40001)
        with pytest.raises(WechatApiError) as refused:  # refreshed once, not in a loop
            await api.send_text("oUser-1", "三")
        assert refused.value.code == 40001
        assert fake_wechat.token_fetches == 3
        assert [s.text for s in fake_wechat.of("custom/send")] == ["一", "二"]


async def test_worker_with_an_old_token_takes_the_one_another_worker_stored(
        database_url: str, fake_wechat: FakeWechatApi) -> None:
    clock = FakeClock()
    async with worker(database_url, fake_wechat, clock) as one, \
            worker(database_url, fake_wechat, clock) as two:
        await one.send_text("oUser-1", "a")
        await two.send_text("oUser-1", "b")  # read from the database, not fetched
        fake_wechat.revoke_tokens()
        await one.send_text("oUser-1", "c")  # refreshes
        await two.send_text("oUser-1", "d")  # 40001 → finds one's new token: no fetch
        assert fake_wechat.token_fetches == 2


async def test_token_is_refreshed_before_it_expires(sqlite_url: str,
                                                    fake_wechat: FakeWechatApi) -> None:
    clock = FakeClock()
    async with worker(sqlite_url, fake_wechat, clock, endpoint="token") as api:
        await api.send_text("oUser-1", "a")
        clock.advance(seconds=7200 - 290)  # within the last five minutes of its life
        await api.send_text("oUser-1", "b")
        assert fake_wechat.token_fetches == 2
        assert fake_wechat.forced_fetches == 0


async def test_media_download(sqlite_url: str, fake_wechat: FakeWechatApi) -> None:
    async with worker(sqlite_url, fake_wechat, FakeClock()) as api:
        assert (await api.media("img-1")).startswith(b"\x89PNG")
        with pytest.raises(WechatApiError) as missing:
            await api.media("nope")
        assert missing.value.code == 40007


async def test_menu_command(sqlite_url: str, tmp_path: Path,
                            fake_wechat: FakeWechatApi) -> None:
    config = tmp_path / "odrbot.toml"
    config.write_text(
        f'[database]\nurl = "{sqlite_url}"\n[wechat]\nenabled = true\ntoken = "{TOKEN}"\n'
        f'app_id = "{APP_ID}"\napp_secret = "{APP_SECRET}"\nencoding_aes_key = "{AES_KEY}"\n'
        f'api_base = "{fake_wechat.url}"\n', encoding="utf-8")
    code = await asyncio.to_thread(main, ["--config", str(config), "wechat", "menu"])
    assert code == 0
    [menu] = fake_wechat.of("menu/create")
    assert menu.body == {"button": [
        {"type": "click", "name": "投诉", "key": "complain"},
        {"type": "click", "name": "查询", "key": "status"},
        {"type": "click", "name": "帮助", "key": "help"}]}
    fake_wechat.fail("/cgi-bin/menu/create", 40018)
    assert await asyncio.to_thread(main, ["--config", str(config), "wechat", "menu"]) == 1

