"""Crash safety: the real server (``python -m bot serve``) under load, killed with SIGKILL
at seeded random moments and restarted, while web-chat consumers, WeChat consumers and a
clerk keep talking. Every request that got no answer is sent again, as WeChat retries and
as the chat page retries with the same id. At the end the database must hold each effect
exactly once and every relayed staff message must have reached its consumer.

DESIGN §3: "A crash before the commit loses nothing (the platform retries); after it,
nothing is lost (the outbox is sent until confirmed)."
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import aiohttp
import pytest
from sqlalchemy import func, select

from handlers.state import State
from storage.engine import create_engine
from storage.tables import (
    case_messages,
    complaint_events,
    complaints,
    conversations,
    identities,
    inbound_receipts,
    outbox,
)
from storage.uow import Database
from tests.reliability.fakes import FaultyWechatApi
from tests.reliability.support import server_settings
from tests.reliability.wechat_wire import query, text_xml
from tests.support.app import DEMO_REGISTRY
from tests.support.server_process import ServerProcess, run_cli

SEED = 20261123
KILLS = 5
WEB_CONSUMERS = 8
WECHAT_CONSUMERS = 4
RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"
LOAD_TIMEOUT = 120.0
"""Generous bound on the whole load; a lost message fails the test instead of hanging it."""
DELIVERY_TIMEOUT = 120.0
"""A push that a killed relay had leased waits for the lease (60 s) before it goes again."""
REQUEST = aiohttp.ClientTimeout(total=20.0)


def script(n: int) -> list[str]:
    """One consumer's messages: the happy intake, then a word to the enterprise."""
    return [RICH, "1", f"王芳 139{n:08d}", "鞍山市铁东区", "1", "1", f"好的，等您消息（第{n}位）"]


def staff_text(reference: str) -> str:
    return f"您好，关于 {reference} 我们已安排上门检测"


@dataclass
class Load:
    server: ServerProcess
    db: Database
    http: aiohttp.ClientSession
    answered: int = 0
    unanswered: int = 0
    """Attempts cut by a kill or refused while the server was down (each sent again)."""
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)
    receipts: dict[str, set[str]] = field(default_factory=lambda: {"web": set(), "wechat": set()})
    """Every message id sent, per channel: each must have exactly one receipt."""
    passive: dict[str, list[str]] = field(default_factory=dict)
    """WeChat passive replies received, per OpenID (they may carry pending pushes too)."""

    async def until_answered(self, attempt: Callable[[], Awaitable[int]], what: str) -> None:
        """Send until the server answers 2xx; a cut connection or a 503 is tried again."""
        while True:
            try:
                status = await attempt()
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            if 200 <= status < 300:
                async with self.progress:
                    self.answered += 1
                    self.progress.notify_all()
                return
            assert status in (0, 503), f"{what}: HTTP {status}"
            self.unanswered += 1
            await asyncio.sleep(0.05)

    async def web(self, sid: str, client_id: str, text: str) -> None:
        self.receipts["web"].add(f"{sid}:{client_id}")

        async def attempt() -> int:
            async with self.http.post(self.server.url + "/chat/send",
                                      json={"id": client_id, "text": text},
                                      headers={"Cookie": f"odr_sid={sid}"}) as response:
                return response.status

        await self.until_answered(attempt, f"web {client_id}")

    async def wechat(self, openid: str, msg_id: int, text: str) -> None:
        self.receipts["wechat"].add(str(msg_id))
        body = text_xml(openid, text, msg_id).encode()

        async def attempt() -> int:
            async with self.http.post(self.server.url + "/wechat", params=query(), data=body,
                                      headers={"Content-Type": "text/xml"}) as response:
                answer = await response.text()
                if response.status == 200 and answer.startswith("<xml>"):
                    content = ElementTree.fromstring(answer).findtext("Content") or ""
                    self.passive.setdefault(openid, []).append(content)
                return response.status

        await self.until_answered(attempt, f"wechat {msg_id}")

    async def reference_of(self, channel: str, user: str) -> str | None:
        async with self.db.unit_of_work() as uow:
            found = await uow.connection.execute(
                select(complaints.c.reference).join(
                    identities, identities.c.consumer_id == complaints.c.consumer_id)
                .where(identities.c.channel == channel, identities.c.external_id == user))
            return found.scalar_one_or_none()


async def web_consumer(load: Load, n: int, sid: str) -> None:
    for step, text in enumerate(script(n)):
        await load.web(sid, f"m{step}", text)


async def wechat_consumer(load: Load, n: int, openid: str) -> None:
    for step, text in enumerate(script(n)):
        await load.wechat(openid, 7_000_000_000 + n * 100 + step, text)


async def clerk(load: Load, sid: str, code: str, consumers: list[tuple[str, str]]) -> None:
    """Binds with the code from ``odrbot staff invite``, then answers every new case."""
    await load.web(sid, "bind", f"绑定 {code}")
    waiting = list(consumers)
    while waiting:
        for channel, user in list(waiting):
            reference = await load.reference_of(channel, user)
            if reference is not None:
                await load.web(sid, f"reply-{reference}", f"回复 {reference} "
                               + staff_text(reference))
                waiting.remove((channel, user))
        await asyncio.sleep(0.05)


async def killer(load: Load, rng: random.Random, total: int) -> None:
    """SIGKILL after a random number of answered requests (a little later, so that other
    requests are in flight), then start again; ``KILLS`` times within the load."""
    marks = sorted(rng.sample(range(5, total - 10), KILLS))
    for mark in marks:
        async with load.progress:
            await load.progress.wait_for(lambda m=mark: load.answered >= m)
        await asyncio.sleep(rng.uniform(0.0, 0.03))
        await load.server.kill()
        await load.server.start()


@pytest.mark.slow
async def test_killed_server_loses_nothing_and_doubles_nothing(
        tmp_path: Path, wechat_api: FaultyWechatApi) -> None:
    settings = server_settings(tmp_path, wechat_api)
    url = settings["ODRBOT_DATABASE_URL"]
    await run_cli(settings, "enterprises", "import", str(DEMO_REGISTRY))
    code = (await run_cli(settings, "staff", "invite", "as-xinhui", "--name", "客服小李")
            ).strip().splitlines()[-1]
    server = ServerProcess(settings, tmp_path / "server.log")
    db = Database(create_engine(url))
    await server.start()
    webs = [secrets.token_urlsafe(24) for _ in range(WEB_CONSUMERS)]
    openids = [f"oRELIABLE{n:04d}" for n in range(WECHAT_CONSUMERS)]
    consumers = [("web", sid) for sid in webs] + [("wechat", o) for o in openids]
    total = len(consumers) * (len(script(0)) + 1) + 1
    try:
        async with aiohttp.ClientSession(timeout=REQUEST) as http:
            load = Load(server, db, http)
            clerk_sid = secrets.token_urlsafe(24)
            async with asyncio.timeout(LOAD_TIMEOUT):
                await asyncio.gather(
                    killer(load, random.Random(SEED), total),
                    clerk(load, clerk_sid, code, consumers),
                    *(web_consumer(load, n, sid) for n, sid in enumerate(webs)),
                    *(wechat_consumer(load, 100 + n, o) for n, o in enumerate(openids)))
            assert server.kills == KILLS and load.answered == total
            assert load.unanswered > 0  # the kills did cut requests off
            async with asyncio.timeout(DELIVERY_TIMEOUT):
                await _staff_messages_reach_every_consumer(load, webs, openids, wechat_api)
        await server.stop()
        await _each_effect_exactly_once(db, load, consumers, clerk_sid)
    except Exception as exc:
        await server.kill()
        raise AssertionError(f"{exc!r}\n--- server log:\n{server.log_tail()}") from exc
    finally:
        await db.dispose()


async def _staff_messages_reach_every_consumer(load: Load, webs: list[str],
                                               openids: list[str],
                                               api: FaultyWechatApi) -> None:
    """WeChat: through the relay to the API, or in a passive reply to the consumer's next
    message (at least once). Web: in the consumer's event stream."""
    for openid in openids:
        reference = await load.reference_of("wechat", openid)
        assert reference is not None
        while True:
            seen = api.sent.texts_to(openid) + load.passive.get(openid, [])
            if any(staff_text(reference) in text for text in seen):
                break
            await asyncio.sleep(0.1)
    for sid in webs:
        reference = await load.reference_of("web", sid)
        assert reference is not None
        async with load.http.get(load.server.url + "/chat/events",
                                 headers={"Cookie": f"odr_sid={sid}"}) as stream:
            while staff_text(reference) not in (line := await stream.content.readline()
                                                ).decode():
                assert line, f"the stream of {sid} ended without the staff message"


async def _each_effect_exactly_once(db: Database, load: Load,
                                    consumers: list[tuple[str, str]], clerk_sid: str) -> None:
    async with db.unit_of_work() as uow:
        conn = uow.connection
        for channel, user in consumers:
            rows = (await conn.execute(
                select(complaints.c.id, complaints.c.reference).join(
                    identities, identities.c.consumer_id == complaints.c.consumer_id)
                .where(identities.c.channel == channel, identities.c.external_id == user)
            )).all()
            assert len(rows) == 1, f"{channel}:{user} has {len(rows)} complaints"
            [(complaint_id, reference)] = rows
            events = (await conn.execute(select(complaint_events.c.action).where(
                complaint_events.c.complaint_id == complaint_id))).scalars().all()
            assert events.count("submit") == 1, events
            thread = (await conn.execute(select(case_messages.c.sender_role, case_messages.c.text)
                                         .where(case_messages.c.complaint_id == complaint_id))
                      ).all()
            assert thread.count(("enterprise", staff_text(reference))) == 1, thread
            assert len([t for role, t in thread if role == "consumer"]) == 1, thread
        assert (await conn.execute(select(func.count()).select_from(complaints))
                ).scalar_one() == len(consumers)
        await _one_receipt_per_message(conn, load.receipts)
        states = dict((await conn.execute(select(conversations.c.key, conversations.c.state))
                       ).all())
    for channel, user in consumers:
        state = State.from_json(states[f"{channel}:{user}"])
        assert state.to_json() == states[f"{channel}:{user}"]  # nothing unknown, nothing lost
        assert (state.flow, state.step, state.draft, state.staff) == (None, None, {}, False)
    clerk_state = State.from_json(states[f"web:{clerk_sid}"])
    assert clerk_state.staff and clerk_state.flow is None


async def _one_receipt_per_message(conn: object, sent: dict[str, set[str]]) -> None:
    """One receipt per delivered message, none for anything else; the replies a receipt
    names are exactly the outbox rows that answer that message (no half or double turn)."""
    rows = (await conn.execute(select(  # type: ignore[attr-defined]
        inbound_receipts.c.channel, inbound_receipts.c.message_id, inbound_receipts.c.replies)
    )).all()
    receipts = {(c, m): [int(r["id"]) for r in replies] for c, m, replies in rows}
    assert set(receipts) == {(c, m) for c, ids in sent.items() for m in ids}
    answering: dict[tuple[str, str], list[int]] = {}
    for row_id, channel, payload in (await conn.execute(  # type: ignore[attr-defined]
            select(outbox.c.id, outbox.c.channel, outbox.c.payload))).all():
        if payload.get("reply_to"):
            answering.setdefault((channel, payload["reply_to"]), []).append(int(row_id))
    for key, ids in receipts.items():
        assert ids, f"{key}: a turn without a reply"
        assert sorted(answering.get(key, [])) == sorted(ids), key
    assert set(answering) <= set(receipts)

