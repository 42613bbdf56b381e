"""Database faults: PostgreSQL unreachable for a while (a loopback proxy in front of it is
cut, the shared server keeps running) and SQLite's write lock held by another process.

While the database is away every channel answers with its retryable status at once (503
with Retry-After for the web chat, WeChat, Telegram, the API and the inbox), the process
stays up (/healthz), and nothing is half-written: the messages that were refused have no
receipt. When the database is back the application recovers by itself and the same
deliveries, sent again, take effect exactly once.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.state import State
from storage.tables import inbound_receipts
from tests.adapters.inbox.support import StaffClient, file_case, staff_client
from tests.reliability.support import (
    TELEGRAM_SECRET,
    Site,
    full_site,
    hold_write_lock,
    record_counts,
    telegram_update,
)
from tests.reliability.tcp_proxy import TcpProxy
from tests.reliability.wechat_wire import query, text_xml
from tests.support.clock import FakeClock

pytestmark = pytest.mark.slow

Request = Callable[[], Awaitable[int]]


class Visitors:
    """One consumer per chat channel, an enterprise system (API) and a signed-in clerk;
    each request keeps its own delivery id, so sending it again is a platform retry."""

    def __init__(self, site: Site, staff: StaffClient, api_key: str, reference: str) -> None:
        self.site, self.staff, self.key, self.reference = site, staff, api_key, reference
        self.sid = secrets.token_urlsafe(24)
        self.openid = f"oDBFAULT{secrets.token_hex(4)}"
        self.telegram_user = 900_000 + secrets.randbelow(99_999)
        self._count = 0

    def web(self, text: str) -> tuple[str, Request]:
        self._count += 1
        client_id = f"w{self._count}"

        async def send() -> int:
            response = await self.site.client.post(
                "/chat/send", json={"id": client_id, "text": text},
                headers={"Cookie": f"odr_sid={self.sid}"})
            if response.status == 503:
                assert response.headers["Retry-After"]
            return response.status

        return f"{self.sid}:{client_id}", send

    def wechat(self, text: str) -> tuple[str, Request]:
        self._count += 1
        msg_id = 8_100_000_000 + secrets.randbelow(10**9)
        body = text_xml(self.openid, text, msg_id).encode()

        async def send() -> int:
            response = await self.site.client.post("/wechat", params=query(), data=body)
            return response.status

        return str(msg_id), send

    def telegram(self, text: str) -> tuple[str, Request]:
        update = telegram_update(self.telegram_user, text)

        async def send() -> int:
            response = await self.site.client.post(
                "/telegram", json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
            return response.status

        return str(update["update_id"]), send

    def enterprise_side(self) -> dict[str, Request]:
        """Reads and writes of the inbox and the API (no delivery id: not retried)."""
        api = {"Authorization": f"Bearer {self.key}"}

        async def status(call: Awaitable[object]) -> int:
            response = await call
            return int(response.status)  # type: ignore[attr-defined]

        client, ref = self.site.client, self.reference
        return {
            "api list": lambda: status(client.get("/api/v1/complaints", headers=api)),
            "api reply": lambda: status(client.post(f"/api/v1/complaints/{ref}/messages",
                                                    json={"text": "您好"}, headers=api)),
            "inbox list": lambda: status(self.staff.get("/inbox")),
            "inbox case": lambda: status(self.staff.get(f"/inbox/cases/{ref}")),
            "inbox reply": lambda: status(self.staff.act(ref, "reply", "您好，正在处理")),
        }


async def _receipts(site: Site, ids: list[tuple[str, str]]) -> int:
    async with site.parts.db.unit_of_work() as uow:
        found = 0
        for channel, message_id in ids:
            found += len((await uow.connection.execute(select(inbound_receipts.c.channel).where(
                inbound_receipts.c.channel == channel,
                inbound_receipts.c.message_id == message_id))).all())
    return found


async def _deliveries(visitors: Visitors, round_: str) -> list[tuple[str, str, Request]]:
    words = {"a": ("我要投诉", "投诉", "/start"), "b": ("鑫汇", "鑫汇", "投诉")}[round_]
    return [("web", *visitors.web(words[0])), ("wechat", *visitors.wechat(words[1])),
            ("telegram", *visitors.telegram(words[2]))]


@pytest.fixture
async def proxied_site(postgres_url: str, tmp_path: Path) -> AsyncIterator[tuple[Site, TcpProxy]]:
    proxy = TcpProxy(5432)
    await proxy.start()
    url = postgres_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    try:
        async with full_site(url, tmp_path, FakeClock()) as site:
            yield site, proxy
    finally:
        await proxy.close()


@asynccontextmanager
async def _visitors(site: Site) -> AsyncIterator[Visitors]:
    key = "odr_" + secrets.token_urlsafe(32)
    async with site.parts.db.unit_of_work() as uow:
        await uow.staff.add_api_key("as-xinhui", key, "crm", site.clock())
        await uow.commit()
    filed = await file_case(site.parts, site.clock)
    async with staff_client(site.client, site.parts, site.clock) as staff:
        yield Visitors(site, staff, key, filed.reference)


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["reset", "refuse"])
async def test_postgres_away_then_back(proxied_site: tuple[Site, TcpProxy], mode: str) -> None:
    site, proxy = proxied_site
    async with _visitors(site) as visitors:
        for _channel, _id, send in await _deliveries(visitors, "a"):
            assert await send() == 200
        refused = await _deliveries(visitors, "b")
        await proxy.outage(mode)
        statuses = {channel: await send() for channel, _id, send in refused}
        assert statuses == {"web": 503, "wechat": 503, "telegram": 503}
        assert (await site.client.get("/healthz")).status == 200  # the process is up
        assert (await site.client.get("/readyz")).status == 503
        await proxy.restore()
        await _until_ready(site)
        assert await _receipts(site, [(c, i) for c, i, _ in refused]) == 0  # nothing half-done
        for channel, _id, send in refused:  # the platforms deliver again: one effect each
            assert await send() == 200, channel
            assert await send() == 200, channel
        assert await _receipts(site, [(c, i) for c, i, _ in refused]) == len(refused)
        await _conversations_parse(site, visitors)


@pytest.mark.postgres
async def test_postgres_away_the_enterprise_side_answers_503(
        proxied_site: tuple[Site, TcpProxy]) -> None:
    """The inbox and the API too: 503 with Retry-After, never a 500."""
    site, proxy = proxied_site
    async with _visitors(site) as visitors:
        side = visitors.enterprise_side()
        before = await record_counts(site.parts)
        await proxy.outage("refuse")
        statuses = {name: await call() for name, call in side.items()}
        await proxy.restore()
        await _until_ready(site)
        assert statuses == dict.fromkeys(side, 503)
        assert await record_counts(site.parts) == before


@pytest.mark.postgres
async def test_postgres_that_never_answers_is_refused_quickly(
        proxied_site: tuple[Site, TcpProxy]) -> None:
    site, proxy = proxied_site
    async with _visitors(site) as visitors:
        [(_, _, send)] = [d for d in await _deliveries(visitors, "a") if d[0] == "web"]
        await proxy.outage("blackhole")
        try:
            async with asyncio.timeout(15.0):  # generous: a few seconds' connect timeout
                assert await send() == 503
        finally:
            await proxy.restore()


async def _until_ready(site: Site) -> None:
    async with asyncio.timeout(30.0):
        while True:
            if (await site.client.get("/readyz")).status == 200:
                return
            await asyncio.sleep(0.05)


async def _conversations_parse(site: Site, visitors: Visitors) -> None:
    keys = (f"web:{visitors.sid}", f"wechat:{visitors.openid}",
            f"telegram:{visitors.telegram_user}")
    async with site.parts.db.unit_of_work() as uow:
        for key in keys:
            raw = await uow.conversations.load(key)
            assert raw is not None, key
            assert State.from_json(raw).to_json() == raw
            assert State.from_json(raw).flow == "intake", key


async def test_sqlite_write_lock_held_by_another_connection(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    async with full_site(sqlite_url, tmp_path, FakeClock()) as site:
        async with _visitors(site) as visitors:
            for _channel, _id, send in await _deliveries(visitors, "a"):
                assert await send() == 200
            waiting = await _deliveries(visitors, "b")
            before = await record_counts(site.parts)
            held, release = threading.Event(), threading.Event()
            holder = threading.Thread(target=hold_write_lock, daemon=True, args=(
                sqlite_url.split(":///", 1)[1], held, release))
            holder.start()
            try:
                assert await asyncio.to_thread(held.wait, 10.0)
                tasks = [asyncio.create_task(send()) for _c, _i, send in waiting]
                side = {name: asyncio.create_task(call())
                        for name, call in visitors.enterprise_side().items()}
                await asyncio.sleep(1.0)  # the lock is held a while (no timing is asserted)
                assert (await site.client.get("/healthz")).status == 200  # the loop runs
                # Nothing can have been written meanwhile: a request waits or answers 503.
                assert all(not t.done() or t.result() == 503 for t in tasks)
            finally:
                release.set()
                await asyncio.to_thread(holder.join, 10.0)
            statuses = await asyncio.gather(*tasks)
            side_statuses = {name: await task for name, task in side.items()}
            assert set(statuses) <= {200, 503}
            assert all(s < 500 or s == 503 for s in side_statuses.values()), side_statuses
            for (_channel, _id, send), status in zip(waiting, statuses, strict=True):
                if status == 503:
                    assert await send() == 200
            assert await _receipts(site, [(c, i) for c, i, _ in waiting]) == len(waiting)
            after = await record_counts(site.parts)
            assert after["inbound_receipts"] == before["inbound_receipts"] + len(waiting)
            await _conversations_parse(site, visitors)
