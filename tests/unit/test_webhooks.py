"""Signed webhooks to enterprise systems: the sender against a loopback receiver, and
delivery through the real application's outbox relay (retries, exactly one delivery to a
receiver that answered 2xx, dead letters with the reason)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot import commands
from bot.adapters.inbox.passwords import verify_password
from bot.channels.webhook import WebhookSender, WebhookUrlRefused, check_webhook_url
from bot.cli import main
from bot.config import load_config
from bot.core.messages import Channel, OutboundMessage
from bot.services.cases import CaseService, StaffActor
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.people import EnterpriseRow
from storage.tables import outbox
from storage.uow import Database
from tests.adapters.inbox.support import XINHUI, file_case
from tests.support.app import DEMO_REGISTRY, app_config, running_app
from tests.support.clock import FakeClock

SECRET = "whsec_test-secret"
TOLERANCE = 300  # seconds, as docs/api.md recommends


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """What a receiver does (docs/api.md): recent timestamp, then a constant-time compare."""
    timestamp = headers.get("X-ODR-Timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers.get("X-ODR-Signature", ""))


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def data(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """An enterprise system on loopback: records each delivery, answers from a script."""

    url: str = ""
    script: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    got: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    count: int = 0
    delay: float = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        self.count += 1
        await self.got.put(Delivery(dict(request.headers), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        status, headers, text = self.script.pop(0) if self.script else (200, {}, "ok")
        return web.Response(status=status, headers=headers, text=text)

    async def next(self) -> Delivery:
        return await asyncio.wait_for(self.got.get(), timeout=10)


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    app = web.Application()
    app.router.add_post("/hook", state.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        state.url = str(server.make_url("/hook"))
        yield state


@asynccontextmanager
async def started(sender: WebhookSender) -> AsyncIterator[WebhookSender]:
    life = sender.lifetime(web.Application())
    await life.__anext__()
    try:
        yield sender
    finally:
        await life.aclose()


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(sqlite_url))
    await upgrade(database.engine)
    clock = FakeClock()
    async with database.unit_of_work() as uow:
        await uow.enterprises.upsert(EnterpriseRow("ent-x", "X", (), None, "", "", ()), clock())
        await uow.commit()
    yield database
    await database.dispose()


async def _point(db: Database, url: str, enterprise: str = "ent-x") -> None:
    async with db.unit_of_work() as uow:
        await uow.staff.set_webhook(enterprise, url, SECRET, FakeClock()())
        await uow.commit()


EVENT = OutboundMessage(Channel.WEBHOOK, "ent-x", "accepted", data={
    "event": "accepted", "delivery_id": "d-1", "at": "2026-11-23T02:00:00+00:00",
    "complaint": {"reference": "TS20261123000001", "status": "accepted", "product": "电视"}})


async def test_a_delivery_is_signed_and_a_receiver_can_verify_it(db: Database) -> None:
    clock = FakeClock()
    async with receiver() as hook, started(WebhookSender(db, clock)) as sender:
        await _point(db, hook.url)
        assert (await sender.send(EVENT)).ok
        got = await hook.next()
        now = clock().timestamp()
        assert verify(SECRET, got.headers, got.body, now)
        assert got.headers["X-ODR-Signature"].startswith("sha256=")
        assert got.headers["X-ODR-Event"] == "accepted"
        assert got.headers["X-ODR-Delivery"] == "d-1" == got.data["delivery_id"]
        assert got.data["complaint"]["product"] == "电视"
        # Forgeries and replays are told apart.
        assert not verify("whsec_other", got.headers, got.body, now)
        assert not verify(SECRET, got.headers, got.body.replace("电视".encode(), b"TV"), now)
        assert not verify(SECRET, got.headers, got.body, now + TOLERANCE + 1)
        assert not verify(SECRET, {**got.headers, "X-ODR-Timestamp": str(int(now) + 5)},
                          got.body, now)


@pytest.mark.parametrize(("answer", "ok", "permanent", "retry_after", "reason"), [
    ((204, {}, ""), True, False, None, ""),
    ((500, {}, "oops"), False, False, None, "HTTP 500"),
    ((503, {"Retry-After": "7"}, ""), False, False, 7.0, "HTTP 503"),
    ((429, {"Retry-After": "99999"}, ""), False, False, 3600.0, "HTTP 429"),
    ((400, {}, "unknown field complaint"), False, True, None, "unknown field complaint"),
    ((410, {}, "gone"), False, True, None, "HTTP 410"),
    ((302, {"Location": "/moved"}, ""), False, True, None, "redirects are not followed"),
], ids=["2xx", "500-retry", "retry-after", "retry-after-capped", "400-permanent",
        "410-permanent", "redirect-permanent"])
async def test_answers_map_to_retry_or_dead_letter(
        db: Database, answer: tuple[int, dict[str, str], str], ok: bool, permanent: bool,
        retry_after: float | None, reason: str) -> None:
    async with receiver() as hook, started(WebhookSender(db, FakeClock())) as sender:
        await _point(db, hook.url)
        hook.script.append(answer)
        result = await sender.send(EVENT)
        assert (result.ok, result.permanent, result.retry_after) == (ok, permanent, retry_after)
        assert reason in result.error


async def test_timeouts_and_refused_connections_are_retried(db: Database) -> None:
    async with receiver() as hook, started(WebhookSender(db, FakeClock(), timeout=0.2)) as sender:
        await _point(db, hook.url)
        hook.delay = 5.0
        slow = await sender.send(EVENT)
        assert not slow.ok and not slow.permanent
        with socket.socket() as spare:  # a loopback port nobody listens on
            spare.bind(("127.0.0.1", 0))
            port = spare.getsockname()[1]
        await _point(db, f"http://127.0.0.1:{port}/hook")
        refused = await sender.send(EVENT)
        assert not refused.ok and not refused.permanent
        async with db.unit_of_work() as uow:
            await uow.staff.set_webhook("ent-x", "http://example.com/hook", SECRET,
                                        FakeClock()())
            await uow.commit()
        unsafe = await sender.send(EVENT)  # stored behind the CLI's back: still refused
        assert unsafe.permanent and "https://" in unsafe.error
        gone = await sender.send(OutboundMessage(Channel.WEBHOOK, "ent-none", "x", data={}))
        assert gone.permanent


@pytest.mark.parametrize(("url", "accepted"), [
    ("https://crm.example.cn/odr/hook", True),
    ("http://127.0.0.1:8080/hook", True),
    ("http://localhost/hook", True),
    ("http://[::1]:9000/hook", True),
    ("http://crm.example.cn/hook", False),
    ("http://10.0.0.5/hook", False),
    ("ftp://crm.example.cn/hook", False),
    ("https://user:pw@crm.example.cn/hook", False),
    ("crm.example.cn/hook", False),
    ("https:///hook", False),
])
def test_webhook_urls_must_be_https(url: str, accepted: bool) -> None:
    if accepted:
        assert check_webhook_url(url) == url
    else:
        with pytest.raises(WebhookUrlRefused, match="https|credentials"):
            check_webhook_url(url)


# --- through the application: the outbox relay delivers -----------------------------------


async def _until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def _rows(db: Database) -> list[tuple[str, int, str | None]]:
    async with db.engine.connect() as conn:
        found = await conn.execute(select(outbox.c.status, outbox.c.attempts, outbox.c.last_error)
                                   .where(outbox.c.channel == "webhook").order_by(outbox.c.id))
        return [(r[0], r[1], r[2]) for r in found]


async def test_the_relay_retries_then_delivers_exactly_once(sqlite_url: str,
                                                            tmp_path: Path) -> None:
    clock = FakeClock()
    async with receiver() as hook, running_app(app_config(sqlite_url, tmp_path), clock) as (
            _app, parts):
        await _point(parts.db, hook.url, XINHUI)
        filed = await file_case(parts, clock)
        first = await hook.next()
        assert first.data["event"] == "complaint_submitted"
        assert first.data["complaint"]["reference"] == filed.reference
        assert verify(SECRET, first.headers, first.body, clock().timestamp())

        hook.script.append((500, {}, "database down"))
        async with parts.db.unit_of_work() as uow:
            await CaseService(uow, clock()).accept(StaffActor(0, XINHUI, "API", "api"),
                                                   filed.reference)
            await uow.commit()
        parts.relay.wake()
        failed = await hook.next()
        await _until(lambda: _has(parts.db, ("pending", 1)))
        clock.advance(seconds=400)
        parts.relay.wake()
        delivered = await hook.next()
        assert delivered.body == failed.body
        assert delivered.headers["X-ODR-Delivery"] == failed.headers["X-ODR-Delivery"]
        await _until(lambda: _has(parts.db, ("sent", 2)))
        clock.advance(days=2)
        await parts.relay.sweep()
        assert hook.count == 3  # submitted, failed accepted, delivered accepted: no repeat
        assert [r[:2] for r in await _rows(parts.db)] == [("sent", 1), ("sent", 2)]


async def _has(db: Database, state: tuple[str, int]) -> bool:
    return state in [r[:2] for r in await _rows(db)]


async def test_a_permanent_refusal_is_dead_lettered_with_the_reason(sqlite_url: str,
                                                                    tmp_path: Path) -> None:
    clock = FakeClock()
    async with receiver() as hook, running_app(app_config(sqlite_url, tmp_path), clock) as (
            _app, parts):
        await _point(parts.db, hook.url, XINHUI)
        hook.script.append((400, {}, "unknown event type"))
        await file_case(parts, clock)
        await hook.next()
        await _until(lambda: _has(parts.db, ("dead", 1)))
        [(_, _, error)] = await _rows(parts.db)
        assert error is not None and "HTTP 400" in error and "unknown event type" in error
        await file_case(parts, clock)  # the next event is not held back by the dead one
        assert (await hook.next()).data["event"] == "complaint_submitted"


# --- configuration from the command line -----------------------------------------------


def test_the_cli_sets_webhooks_keys_and_passwords(sqlite_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("ODRBOT_DATABASE_URL", sqlite_url)
    assert main(["enterprises", "import", str(DEMO_REGISTRY)]) == 0
    assert main(["enterprises", "webhook", XINHUI, "http://crm.example.cn/hook"]) == 2
    assert "must start with https://" in caplog.text
    assert main(["enterprises", "webhook", "nobody", "https://crm.example.cn/hook"]) == 2
    capsys.readouterr()
    assert main(["enterprises", "webhook", XINHUI, "https://crm.example.cn/hook"]) == 0
    secret = capsys.readouterr().out.split("signing secret")[1].split(": ")[1].strip()
    assert main(["enterprises", "api-key", XINHUI, "--label", "crm"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["staff", "invite", XINHUI]) == 0
    config = load_config(None)
    assert commands.read_password(io.StringIO("a long password\n")) == "a long password"
    assert asyncio.run(commands.set_staff_password(config, 1, "short")) == 2
    assert asyncio.run(commands.set_staff_password(config, 99, "a long password")) == 2
    assert asyncio.run(commands.set_staff_password(config, 1, "a long password")) == 0

    async def stored() -> tuple[Any, ...]:
        db = Database(create_engine(sqlite_url))
        try:
            async with db.unit_of_work() as uow:
                return (await uow.staff.webhook(XINHUI), await uow.staff.enterprise_of_key(key),
                        await uow.staff.get(1))
        finally:
            await db.dispose()

    hook, owner, member = asyncio.run(stored())
    assert (hook.url, hook.secret, owner) == ("https://crm.example.cn/hook", secret, XINHUI)
    assert verify_password("a long password", member.password_hash)
    assert "a long password" not in member.password_hash
