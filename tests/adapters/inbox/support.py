"""Shared set-up for the enterprise-side tests: complaints filed straight into storage (as
the intake would), staff invited and signed in to the inbox over real HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from bot.app import Components
from bot.domain.complaint import Evidence, Filing
from bot.domain.states import Status
from bot.services.cases import CaseService
from bot.services.staff_admin import invite_staff
from bot.services.timing import Timing
from storage.stats import CHINA
from tests.support.clock import FakeClock

XINHUI, WANXIANG = "as-xinhui", "as-wanxiang"
_CSRF = re.compile(r'name="csrf" (?:value|content)="([^"]+)"')


@dataclass(frozen=True)
class Filed:
    reference: str
    consumer: str
    """The consumer's web session id (their identity on the web channel)."""


async def file_case(parts: Components, clock: FakeClock, enterprise_id: str = XINHUI, *,
                    product: str = "洗衣机", facts: str = "用了两天就不脱水了",
                    merchant: str = "鑫汇购物广场",
                    phone: str = "13912345678", name: str = "王芳", category: str = "G01",
                    nature: str = "quality", deadline_days: int = 14,
                    status: Status | None = None, evidence: tuple[Evidence, ...] = ()
                    ) -> Filed:
    """A submitted complaint, announced like the intake does (inbox feed, webhook, staff)."""
    consumer = uuid.uuid4().hex[:32]
    today = clock().astimezone(CHINA).date()
    async with parts.db.unit_of_work() as uow:
        identity = await uow.identities.get_or_create("web", consumer, clock(), "zh")
        filing = Filing(enterprise_id, merchant, "鞍山市铁东区二道街", product,
                        date(2026, 11, 20), 3299.0, "offline", facts, ("return", "refund"),
                        name, phone, "鞍山市铁东区", category, nature, evidence=evidence)
        reference = await uow.complaints.next_reference(today)
        await uow.complaints.insert(filing, reference=reference, consumer_id=identity.consumer_id,
                                    status=Status.SUBMITTED, source_channel="web", now=clock(),
                                    deadline=today + timedelta(days=deadline_days))
        case = await uow.cases.by_reference(reference)
        assert case is not None
        await CaseService(uow, clock(), Timing.from_config(parts.config.odr)).announce_new(case)
        if status is not None:
            await uow.cases.update(case.id, clock(), status=status)
        await uow.commit()
    parts.relay.wake()
    return Filed(reference, consumer)


async def status_of(parts: Components, reference: str) -> Status:
    async with parts.db.unit_of_work() as uow:
        case = await uow.cases.by_reference(reference)
    assert case is not None
    return case.status


async def thread_texts(parts: Components, reference: str) -> list[str]:
    async with parts.db.unit_of_work() as uow:
        case = await uow.cases.by_reference(reference)
        assert case is not None
        return [m.text for m in await uow.cases.thread(case.id)]


async def login_token(parts: Components, clock: FakeClock, enterprise_id: str = XINHUI,
                      name: str = "小李") -> str:
    async with parts.db.unit_of_work() as uow:
        invitation = await invite_staff(uow, enterprise_id, "agent", clock(), name)
        await uow.commit()
    return invitation.login_token


def csrf_in(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


class StaffClient:
    """One signed-in staff member: a browser-like client with its own cookie jar."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.http = session
        self.base = base
        self.csrf = ""

    def url(self, path: str) -> str:
        return self.base + path

    async def get(self, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        headers = {"Accept": "text/html", **kwargs.pop("headers", {})}
        return await self.http.get(self.url(path), headers=headers, allow_redirects=False,
                                   **kwargs)

    async def post(self, path: str, data: dict[str, str], **kwargs: Any
                   ) -> aiohttp.ClientResponse:
        return await self.http.post(self.url(path), data=data, allow_redirects=False, **kwargs)

    async def act(self, reference: str, action: str, text: str = "",
                  **kwargs: Any) -> aiohttp.ClientResponse:
        return await self.post(f"/inbox/cases/{reference}/{action}",
                               {"csrf": self.csrf, "text": text}, **kwargs)

    async def sign_in(self, token: str) -> aiohttp.ClientResponse:
        page = await self.get(f"/inbox/login?token={token}")
        assert page.status == 200
        return await self.post("/inbox/login", {"csrf": csrf_in(await page.text()),
                                                "token": token})


@asynccontextmanager
async def staff_client(client: TestClient[Any, Any], parts: Components, clock: FakeClock,
                       enterprise_id: str = XINHUI, name: str = "小李"
                       ) -> AsyncIterator[StaffClient]:
    base = str(client.make_url("")).rstrip("/")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        staff = StaffClient(http, base)
        signed = await staff.sign_in(await login_token(parts, clock, enterprise_id, name))
        assert signed.status == 303, await signed.text()
        home = await staff.get("/inbox")
        assert home.status == 200
        staff.csrf = csrf_in(await home.text())
        yield staff
