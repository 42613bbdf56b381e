"""The windows a crash can hit outside a turn's transaction: a relay killed while it held
a lease on a row, and a WeChat message acknowledged before its turn committed (kept in
the spool, run again after the restart)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.config import RelayConfig
from bot.core.messages import Channel, OutboundMessage
from bot.core.ports import SendResult
from bot.relay import LEASE, OutboxRelay
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database
from tests.reliability.fakes import FaultyWechatApi
from tests.reliability.support import hold_write_lock, server_settings
from tests.reliability.wechat_wire import query, text_xml
from tests.support.clock import FakeClock
from tests.support.server_process import ServerProcess

REQUEST = aiohttp.ClientTimeout(total=20.0)


class FakeSender:
    """A channel that takes every message (the relay's port, no network)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message.text)
        return SendResult(ok=True)


@pytest.fixture
async def leased(sqlite_url: str) -> AsyncIterator[tuple[OutboxRelay, FakeSender, FakeClock]]:
    """A pending row whose lease belongs to a relay that was killed while sending it."""
    db = Database(create_engine(sqlite_url))
    await upgrade(db.engine)
    clock, sender = FakeClock(), FakeSender()
    async with db.unit_of_work() as uow:
        row = await uow.outbox.add("wechat", "oLEASED", {"text": "您的投诉已受理"}, clock())
        assert await uow.outbox.claim(row, clock(), clock() + LEASE)
        await uow.commit()
    try:
        yield OutboxRelay(db, {Channel.WECHAT: sender}, clock, RelayConfig()), sender, clock
    finally:
        await db.dispose()


async def test_a_row_leased_by_a_killed_relay_goes_out_once_the_lease_ends(
        leased: tuple[OutboxRelay, FakeSender, FakeClock]) -> None:
    relay, sender, clock = leased
    await relay.sweep()
    assert sender.sent == []  # another worker might still be sending it
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await relay.sweep()
    await relay.sweep()
    assert sender.sent == ["您的投诉已受理"]


async def test_a_leased_row_does_not_make_the_relay_spin(
        leased: tuple[OutboxRelay, FakeSender, FakeClock]) -> None:
    relay, _sender, _clock = leased
    assert await relay.sweep() > 0


@pytest.mark.slow
async def test_a_wechat_message_answered_late_survives_a_crash(
        tmp_path: Path, wechat_api: FaultyWechatApi) -> None:
    settings = server_settings(tmp_path, wechat_api, ODRBOT_WECHAT_REPLY_BUDGET_SECONDS="0.2")
    path = tmp_path / "odrbot.sqlite3"
    server = ServerProcess(settings, tmp_path / "server.log")
    await server.start()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(str(path), held, release),
                              daemon=True)
    holder.start()
    try:
        assert await asyncio.to_thread(held.wait, 10.0)
        async with aiohttp.ClientSession(timeout=REQUEST) as http, http.post(
                server.url + "/wechat", params=query(),
                data=text_xml("oLATE0001", "我要投诉", 5_550_001).encode()) as response:
            # The database is busy: past the budget, WeChat is told the message arrived.
            assert (response.status, await response.text()) == (200, "success")
        await server.kill()  # before the turn could commit
    finally:
        release.set()
        await asyncio.to_thread(holder.join, 10.0)
    await server.start()  # the kept message runs again: its reply goes out by the API
    try:
        async with asyncio.timeout(30.0):
            while not wechat_api.sent.texts_to("oLATE0001"):
                wechat_api.sent.changed.clear()
                await wechat_api.sent.changed.wait()
    finally:
        await server.stop()
    db = Database(create_engine(settings["ODRBOT_DATABASE_URL"]))
    try:
        async with db.unit_of_work() as uow:
            kept = await uow.receipts.replies_of("wechat", "5550001")
    finally:
        await db.dispose()
    assert kept is not None, "the message WeChat was told had arrived is gone"
    assert "我来帮您投诉" in wechat_api.sent.texts_to("oLATE0001")[0]
    assert not list((tmp_path / "spool").glob("*.json"))  # forgotten once stored
