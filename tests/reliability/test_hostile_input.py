"""Hostile input, table-driven: hundreds of bad requests at every door of the server —
bad signatures, XXE and billion laughs, invalid UTF-8, oversize and deeply nested bodies,
SQL and script injection, path traversal, forged cookies and CSRF, the other tenant's ids.

Every answer must be below 500, carry nothing of the other enterprise (two are seeded
with distinct data and secrets), reflect no script into HTML; a refused request must
leave the database as it was; the server stays healthy throughout.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.pages.escalation import pack_link
from bot.services.staff_admin import invite_staff
from storage.tables import outbox
from tests.adapters.inbox.support import file_case
from tests.reliability.corpus import Hostile, Req, Tenant, World, check_answer
from tests.reliability.corpus_chat import telegram_cases, web_cases, wechat_cases
from tests.reliability.corpus_enterprise import corpus_enterprise
from tests.reliability.fakes import WECHAT_APP_ID
from tests.reliability.support import Site, full_site, record_counts
from tests.support.clock import FakeClock

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

CORPUS: list[Hostile] = [*wechat_cases(), *telegram_cases(), *web_cases(),
                         *corpus_enterprise()]
STORED_MEDIA = re.compile(r"(web|wechat|telegram)/[0-9a-f]{2}/[0-9a-f]{64}\.(png|gif|jpg|webp)")
"""Evidence lands only under the media directory, named by its hash (no name from input)."""
MARKERS = {"A": ("as-xinhui", "甲泽民", "13900000111", "甲壹号滚筒洗衣机", "ALPHA机密事实"),
           "B": ("as-wanxiang", "乙慧琳", "13900000222", "乙贰号碳板跑鞋", "BETA机密事实")}


@dataclass
class Corpus:
    site: Site
    world: World
    http: aiohttp.ClientSession
    base: str


async def _tenant(site: Site, enterprise: str, name: str, phone: str, product: str,
                  secret_fact: str) -> Tenant:
    parts, clock = site.parts, site.clock
    filed = await file_case(parts, clock, enterprise, product=product, phone=phone, name=name,
                            facts=f"{secret_fact}：用了两天就坏了")
    key, cookie, csrf = (f"odr_{secrets.token_urlsafe(32)}", secrets.token_urlsafe(32),
                         secrets.token_urlsafe(24))
    async with parts.db.unit_of_work() as uow:
        await uow.staff.add_api_key(enterprise, key, "crm", clock())
        invitation = await invite_staff(uow, enterprise, "agent", clock(), "客服")
        await uow.staff.add_session(invitation.staff_id, cookie, csrf, clock(),
                                    clock() + timedelta(hours=12))
        await uow.commit()
    accepted = await site.client.post(f"/api/v1/complaints/{filed.reference}/accept",
                                      headers={"Authorization": f"Bearer {key}"})
    assert accepted.status == 200  # contact details now shown to this enterprise only
    return Tenant(enterprise, filed.reference, key, cookie, csrf, (name, phone, product,
                                                                   secret_fact))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Corpus]:
    tmp = tmp_path_factory.mktemp("hostile")
    clock = FakeClock()
    async with full_site(f"sqlite+aiosqlite:///{tmp / 'odrbot.sqlite3'}", tmp, clock) as site, \
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        a, b = [await _tenant(site, *MARKERS[n]) for n in ("A", "B")]
        operator_cookie, operator_csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        async with site.parts.db.unit_of_work() as uow:
            operator = await uow.operators.create("监管员", clock())
            await uow.operators.add_token(operator, "session", operator_cookie,
                                          clock() + timedelta(hours=12), operator_csrf)
            await uow.commit()
        link = urlsplit(pack_link("http://x", site.parts.secret, a.reference,
                                  now=clock().timestamp()))
        world = World(a, b, operator_cookie, operator_csrf, f"{link.path}?{link.query}",
                      WECHAT_APP_ID)
        yield Corpus(site, world, http, str(site.client.make_url("")).rstrip("/"))


async def _send(corpus: Corpus, req: Req) -> tuple[int, str, str]:
    # Large bodies as a stream (aiohttp warns about big raw bytes on the loop).
    data = io.BytesIO(req.body) if req.body and len(req.body) > 65536 else req.body
    async with corpus.http.request(req.method, corpus.base + req.path, params=req.params,
                                   headers=req.headers, data=data,
                                   allow_redirects=False) as response:
        if req.stream:  # an open event stream: the status line and headers are enough
            return response.status, response.content_type, ""
        body = await response.read()
        return (response.status, response.headers.get("Content-Type", ""),
                body.decode("utf-8", "replace"))


def test_the_corpus_is_large_and_every_case_is_named() -> None:
    ids = [case.id for case in CORPUS]
    assert len(ids) >= 200
    assert len(set(ids)) == len(ids)


@MODULE_LOOP
@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else [])
    for c in CORPUS])
async def test_hostile_request_is_answered_safely(corpus_site: Corpus, case: Hostile) -> None:
    parts = corpus_site.site.parts
    req = case.make(corpus_site.world)
    before = await record_counts(parts)
    status, content_type, body = await _send(corpus_site, req)
    check_answer(corpus_site.world, req, status, content_type, body)
    if 400 <= status < 500:
        assert await record_counts(parts) == before, "a refused request changed the database"
    assert (await corpus_site.http.get(corpus_site.base + "/healthz")).status == 200


@MODULE_LOOP
async def test_the_site_still_serves_after_the_corpus(corpus_site: Corpus) -> None:
    """A normal conversation still works, the accepted uploads were stored by hash only,
    and the relay still delivers (hostile texts were answered through the platforms)."""
    site = corpus_site.site
    sent = await corpus_site.http.post(corpus_site.base + "/chat/send",
                                       json={"id": "after", "text": "我要投诉"},
                                       headers={"Cookie": f"odr_sid={secrets.token_urlsafe(24)}"})
    assert sent.status == 200
    assert (await corpus_site.http.get(corpus_site.base + "/readyz")).status == 200
    stored = await asyncio.to_thread(_stored_files, Path(site.parts.config.media.dir))
    assert all(STORED_MEDIA.fullmatch(name) for name in stored), stored
    site.clock.advance(seconds=60)  # past the WeChat passive-reply hold
    async with asyncio.timeout(20.0):
        while await _pending(site):
            site.parts.relay.wake()
            await asyncio.sleep(0.02)


def _stored_files(media: Path) -> list[str]:
    return [p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()]


async def _pending(site: Site) -> int:
    async with site.parts.db.unit_of_work() as uow:
        return int((await uow.connection.execute(
            select(func.count()).select_from(outbox).where(
                outbox.c.status == "pending", outbox.c.next_attempt_at <= site.clock()))
        ).scalar_one())
