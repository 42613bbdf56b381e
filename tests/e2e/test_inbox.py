"""The enterprise inbox in headless Chromium, live: a consumer files in the web chat, the
case appears in the open inbox without a reload, staff answer in the inbox and the answer
appears in the consumer's chat; another enterprise's staff cannot open the case by URL.

One browser and one server serve the whole module (each start costs seconds)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.app import Components
from tests.adapters.inbox.support import WANXIANG, file_case, login_token
from tests.support.app import app_config
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    file_complaint_in_chat,
    live_server,
    require_chromium,
    say_in_chat,
)
from tests.support.clock import FakeClock

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@dataclass
class Site:
    url: str
    parts: Components
    clock: FakeClock
    browser: Browser


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("inbox-e2e")
    clock = FakeClock()
    config = app_config(f"sqlite+aiosqlite:///{tmp / 'odrbot.sqlite3'}", tmp)
    async with live_server(config, clock) as (url, parts), async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Site(url, parts, clock, browser)
        await browser.close()


async def _sign_in(site: Site, enterprise_id: str, name: str) -> Page:
    context = await site.browser.new_context(viewport={"width": 390, "height": 844},
                                             locale="zh-CN")
    page = await context.new_page()
    token = await login_token(site.parts, site.clock, enterprise_id, name)
    await page.goto(f"{site.url}/inbox/login?token={token}")
    await page.click("#use-link")
    await expect(page.locator("table.cases")).to_be_visible()
    return page


async def _file_in_chat(site: Site) -> tuple[Page, str]:
    page = await (await site.browser.new_context()).new_page()
    await page.goto(site.url)
    return page, await file_complaint_in_chat(page)


async def test_a_new_complaint_and_the_answers_flow_live(site: Site) -> None:
    inbox = await _sign_in(site, "as-xinhui", "小李")
    await expect(inbox.locator("#live-indicator")).to_be_visible()  # the stream is open
    await inbox.evaluate("window.notReloaded = true")
    chat, reference = await _file_in_chat(site)

    row = inbox.locator(f'tr.case-row[data-ref="{reference}"]')
    await expect(row).to_be_visible()
    await expect(row).to_have_class(re.compile("new"))
    assert await inbox.evaluate("window.notReloaded === true")  # it came live

    await row.get_by_role("link").click()
    await expect(inbox.locator("h1")).to_contain_text(reference)
    await inbox.fill("#reply-form textarea", "您好，请问洗衣机是完全不转还是只是不脱水？")
    await inbox.click("#reply-form button")
    await expect(chat.locator(".msg.bot").last).to_contain_text("请问洗衣机是完全不转")
    await expect(inbox.locator("#thread")).to_contain_text("请问洗衣机是完全不转")
    await expect(inbox.locator("#reply-form textarea")).to_have_value("")

    await inbox.evaluate("window.notReloaded = true")
    await say_in_chat(chat, "洗涤正常，就是脱水的时候报错E3", "已转达")
    await expect(inbox.locator("#thread")).to_contain_text("脱水的时候报错E3")
    assert await inbox.evaluate("window.notReloaded === true")
    await expect(inbox.locator(".status").first).to_contain_text("协商中")


async def test_staff_of_another_enterprise_cannot_open_the_case(site: Site) -> None:
    filed = await file_case(site.parts, site.clock)
    other = await _sign_in(site, WANXIANG, "王经理")
    response = await other.goto(f"{site.url}/inbox/cases/{filed.reference}")
    assert response is not None and response.status == 404
    await expect(other.locator(".flash.error")).to_contain_text("找不到这件投诉")
    await expect(other.locator(f'tr.case-row[data-ref="{filed.reference}"]')).to_have_count(0)
    assert "13912345678" not in await other.content()
