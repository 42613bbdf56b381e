"""``odrbot telegram set-webhook URL | delete-webhook | info`` against the fake Bot API."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import pytest

from bot.cli import _parser, _run
from bot.config import Config, ConfigError, TelegramConfig
from bot.services.telegram_setup import SetupError, telegram_cli, telegram_command
from tests.adapters.telegram.fake_api import BOT_USERNAME, TOKEN, FakeBotApi
from tests.adapters.telegram.support import SECRET

URL = "https://odr.example.cn/telegram"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.close()


def _config(api: FakeBotApi, secret: str = SECRET) -> Config:
    return Config(telegram=TelegramConfig(enabled=True, token=TOKEN, webhook_secret=secret,
                                          api_base=api.api_base))


async def test_set_webhook_then_info_then_delete(api: FakeBotApi) -> None:
    out = io.StringIO()
    assert await telegram_cli(_config(api), "set-webhook", URL, out) == 0
    [hook] = api.called("setWebhook")
    assert hook.params["url"] == URL
    assert hook.params["secret_token"] == SECRET
    assert hook.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    info = json.loads(await telegram_command(_config(api), "info"))
    assert info["bot"]["username"] == BOT_USERNAME
    assert info["webhook"]["url"] == URL
    await telegram_command(_config(api), "delete-webhook")
    assert api.called("deleteWebhook")
    assert json.loads(await telegram_command(_config(api), "info"))["webhook"]["url"] == ""


async def test_set_webhook_refuses_what_telegram_would(api: FakeBotApi) -> None:
    with pytest.raises(SetupError, match="https"):
        await telegram_command(_config(api), "set-webhook", "http://odr.example.cn/telegram")
    with pytest.raises(SetupError, match="/telegram"):
        await telegram_command(_config(api), "set-webhook", "https://odr.example.cn/")
    with pytest.raises(ConfigError, match="webhook_secret"):
        await telegram_command(_config(api, secret="has spaces!"), "set-webhook", URL)
    assert await telegram_cli(_config(api), "set-webhook", "ftp://x/telegram", io.StringIO()) == 1
    assert not api.called("setWebhook")


def test_the_command_line_wiring() -> None:
    args = _parser().parse_args(["telegram", "set-webhook", URL])
    assert (args.command, args.tg_command, args.url) == ("telegram", "set-webhook", URL)
    for command in ("delete-webhook", "info"):
        assert _parser().parse_args(["telegram", command]).tg_command == command
    with pytest.raises(ConfigError, match=r"\[telegram\] token"):
        _run(args, Config())  # no token configured: a clear error before any request
