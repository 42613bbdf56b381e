"""The bot with WeChat enabled, against a fake WeChat API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Components
from bot.config import Config, WechatConfig
from tests.adapters.wechat.client import AES_KEY, TOKEN, WechatClient
from tests.adapters.wechat.fake_api import APP_ID, APP_SECRET, FakeWechatApi
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWechatApi]:
    fake = await FakeWechatApi().start()
    try:
        yield fake
    finally:
        await fake.close()


def wechat_config(url: str, tmp_path: Path, fake: FakeWechatApi, **wechat: Any) -> Config:
    settings = WechatConfig(enabled=True, token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET,
                            encoding_aes_key=AES_KEY, api_base=fake.url,
                            spool_dir=str(tmp_path / "spool"))
    return app_config(url, tmp_path, wechat=replace(settings, **wechat))


@dataclass
class Bot:
    http: TestClient[Any, Any]
    parts: Components
    fake: FakeWechatApi
    clock: FakeClock

    def client(self, mode: str = "plain") -> WechatClient:
        return WechatClient(self.http, mode)


@asynccontextmanager
async def wechat_bot(url: str, tmp_path: Path, fake: FakeWechatApi,
                     clock: FakeClock | None = None, **wechat: Any) -> AsyncIterator[Bot]:
    clock = clock or FakeClock()
    async with http_client(wechat_config(url, tmp_path, fake, **wechat), clock) as (http, parts):
        yield Bot(http, parts, fake, clock)
