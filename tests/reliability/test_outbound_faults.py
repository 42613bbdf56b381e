"""Outbound faults: the outbox relay against a Telegram and a WeChat API that fail about a
fifth of all calls (5xx, cut connections, client timeouts, 429 retry_after, WeChat 40001,
45015, 45009), plus recipients that always fail (blocked, unknown OpenID, a broken route).

The relay runs on a fake clock moved to each next due row instead of sleeping. At the end
every row is delivered exactly once as far as the bot could know (one confirmed success
on the fake) or dead-lettered with a visible reason (``outbox.last_error``), and each
recipient got its messages in order.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.wechat.sender import WechatSender
from bot.channels.wechat import build_api
from bot.config import RelayConfig, WechatConfig
from bot.core.messages import Channel
from bot.relay import OutboxRelay
from bot.services.telegram_store import SqlTelegramStore
from bot.services.wechat_outbox import SqlServiceWindow
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from storage.uow import Database
from tests.adapters.telegram.support import FakeTimer
from tests.reliability.fakes import (
    TELEGRAM_TOKEN,
    WECHAT_APP_ID,
    WECHAT_APP_SECRET,
    FaultPlan,
    FaultyTelegramApi,
    FaultyWechatApi,
)
from tests.support.clock import FakeClock

SEED = 808
ROWS = 6
TELEGRAM_CHATS = [str(5000 + n) for n in range(8)]
WECHAT_USERS = [f"oFAULT{n:04d}" for n in range(8)]
ALWAYS = {"telegram": {"6001": "403", "6002": "5xx"},
          "wechat": {"oDEADOPENID01": "40003", "oBROKEN00001": "5xx"}}
REASONS = {"403": ("403",), "5xx": ("502", "Bad Gateway"), "40003": ("40003",)}
"""What ``last_error`` must say for each kind of permanent failure."""
CLIENT_TIMEOUT = 0.25
"""Telegram's read timeout here; the fake's hung answers take longer. (Neither client's
timeout is configurable: [telegram] and [wechat] have no timeout key.)"""


@dataclass
class World:
    db: Database
    clock: FakeClock
    relay: OutboxRelay
    telegram: FaultyTelegramApi
    wechat: FaultyWechatApi

    async def enqueue(self, channel: str, recipient: str, text: str) -> None:
        async with self.db.unit_of_work() as uow:
            await uow.outbox.add(channel, recipient, {"text": text}, self.clock())
            await uow.commit()

    async def run_until_quiet(self) -> None:
        """Sweep, move the clock to the next due row, again, until nothing is pending."""
        for _ in range(3000):
            wait = await self.relay.sweep()
            async with self.db.unit_of_work() as uow:
                if not (await uow.outbox.count_by_status()).get("pending"):
                    return
            self.clock.advance(seconds=max(wait, 0.001))
        raise AssertionError("the relay never became quiet")


@pytest.fixture
async def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as make_client does: no PTB deprecation
    db = Database(create_engine(sqlite_url))
    await upgrade(db.engine)
    clock = FakeClock()
    telegram = FaultyTelegramApi(FaultPlan(0.2, ("5xx", "timeout", "429"), SEED,
                                           ALWAYS["telegram"]), hang_seconds=1.0)
    wechat = FaultyWechatApi(FaultPlan(0.2, ("5xx", "cut", "40001", "45015", "45009"),
                                       SEED + 1, ALWAYS["wechat"]))
    await telegram.start()
    await wechat.start()
    # The real pieces, wired as bot/channels wires them; only the Bot's read timeout is
    # short, so a hung call costs a quarter second instead of fifteen.
    request = HTTPXRequest(connection_pool_size=64, read_timeout=CLIENT_TIMEOUT)
    bot = Bot(TELEGRAM_TOKEN, base_url=f"{telegram.url}/bot", request=request)
    timer = FakeTimer(clock)
    limiter = RateLimiter(clock=timer, sleep=timer.sleep)
    timer.settle = limiter.wait_quiet
    store = SqlTelegramStore(db, clock, lambda: None)
    api = build_api(WechatConfig(enabled=True, token="t", app_id=WECHAT_APP_ID,
                                 app_secret=WECHAT_APP_SECRET, api_base=wechat.url), db, clock)
    await api.start()
    senders = {Channel.TELEGRAM: TelegramSender(bot, limiter, store, store),
               Channel.WECHAT: WechatSender(api, SqlServiceWindow(db, clock))}
    relay = OutboxRelay(db, senders, clock, RelayConfig(max_delay_seconds=60.0),
                        random.Random(SEED))
    try:
        yield World(db, clock, relay, telegram, wechat)
    finally:
        await api.close()
        await request.shutdown()
        await telegram.close()
        await wechat.close()
        await db.dispose()


async def test_every_message_is_delivered_once_or_dead_lettered_with_a_reason(
        world: World) -> None:
    recipients = {"telegram": TELEGRAM_CHATS + list(ALWAYS["telegram"]),
                  "wechat": WECHAT_USERS + list(ALWAYS["wechat"])}
    async with world.db.unit_of_work() as uow:  # WeChat: users who wrote a minute ago
        for openid in recipients["wechat"]:
            identity = await uow.identities.get_or_create("wechat", openid, world.clock(), "zh")
            await uow.identities.seen(identity, world.clock())
        await uow.commit()
    for n in range(ROWS):
        for channel, users in recipients.items():
            for user in users:
                await world.enqueue(channel, user, f"{channel} {user} 第{n}条")
    await world.run_until_quiet()

    async with world.db.unit_of_work() as uow:
        rows = (await uow.connection.execute(
            select(outbox.c.channel, outbox.c.recipient, outbox.c.payload, outbox.c.status,
                   outbox.c.last_error).order_by(outbox.c.id))).all()
    fakes = {"telegram": world.telegram, "wechat": world.wechat}
    for channel, recipient, payload, status, last_error in rows:
        text = payload["text"]
        delivered = fakes[channel].sent.count[text]
        kind = ALWAYS[channel].get(recipient)
        if kind is None:
            assert (status, delivered) == ("sent", 1), (text, status, delivered, last_error)
        else:
            assert (status, delivered) == ("dead", 0), (text, status, delivered)
            assert any(r in (last_error or "") for r in REASONS[kind]), (text, last_error)
    for channel, users in recipients.items():
        for user in users:
            expected = [p["text"] for c, r, p, s, _ in rows if (c, r, s) == (channel, user, "sent")]
            assert fakes[channel].sent.texts_to(user) == expected  # in order, none twice
    # Every kind of fault was met (a quiet API would prove nothing).
    assert set(world.telegram.plan.injected) >= {"5xx", "timeout", "429", "403"}
    assert set(world.wechat.plan.injected) >= {"5xx", "cut", "40001", "45015", "45009", "40003"}
