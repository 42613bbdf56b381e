"""The enterprise inbox in headless Chromium, live: a consumer files in the web chat, the
case appears in the open inbox without a reload, staff answer in the inbox and the answer
appears in the consumer's chat; photos travel both ways and are drawn (not just an <img>);
another enterprise's staff cannot open the case by URL.

One browser and one server serve the whole module (each start costs seconds)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from playwright.async_api import Browser, FilePayload, Page, async_playwright, expect

from bot.app import Components
from tests.adapters.inbox.support import WANXIANG, file_case, login_token
from tests.support.app import app_config
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHOTO_RGB,
    drawn,
    file_complaint_in_chat,
    live_server,
    png_image,
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


async def _sign_in(site: Site, enterprise_id: str, name: str, locale: str = "zh-CN") -> Page:
    context = await site.browser.new_context(viewport={"width": 390, "height": 844},
                                             locale=locale)
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


async def _open_accepted_case(site: Site, locale: str = "zh-CN") -> tuple[Page, Page, str]:
    """A complaint filed in the web chat, opened and accepted by staff in the inbox."""
    inbox = await _sign_in(site, "as-xinhui", "小李", locale)
    chat, reference = await _file_in_chat(site)
    await inbox.goto(f"{site.url}/inbox/cases/{reference}")
    await inbox.click("button[value=accept]")
    await expect(inbox.locator(".flash.ok")).to_be_visible()
    await expect(chat.locator(".msg.bot").last).to_contain_text("受理")
    return inbox, chat, reference


async def test_a_consumer_photo_shows_live_in_the_inbox_thread(site: Site) -> None:
    inbox, chat, _ = await _open_accepted_case(site)
    await inbox.evaluate("window.notReloaded = true")
    await chat.set_input_files("#photo", files=FilePayload(
        name="washer.png", mimeType="image/png", buffer=png_image(48, 32)))
    await expect(chat.locator(".msg.bot").last).to_contain_text("已转达")
    picture = inbox.locator("#thread .msg.from-consumer img")
    assert await drawn(picture) == (48, PHOTO_RGB)
    assert await inbox.evaluate("window.notReloaded === true")


async def test_a_staff_photo_from_the_inbox_shows_live_in_the_web_chat(site: Site) -> None:
    inbox, chat, reference = await _open_accepted_case(site, locale="en-US")
    form = inbox.locator("#reply-form")
    await expect(form).to_contain_text("Attach a photo")
    await chat.evaluate("window.notReloaded = true")
    await form.locator("input[type=file]").set_input_files(files=FilePayload(
        name="contract.pdf", mimeType="application/pdf", buffer=b"%PDF-1.7"))
    await form.locator("button").click()
    await expect(form.locator(".form-status")).to_contain_text("Only images")
    await form.locator("input[type=file]").set_input_files(files=FilePayload(
        name="receipt.png", mimeType="image/png", buffer=png_image(64, 40)))
    await inbox.fill("#reply-form textarea", "Refund receipt attached")
    await form.locator("button").click()
    assert await drawn(chat.locator(".msg.bot img.photo").last) == (64, PHOTO_RGB)
    await expect(chat.locator(".msg.bot").filter(has_text="Refund receipt attached")
                 ).to_have_count(1)
    assert await chat.evaluate("window.notReloaded === true")
    staff_side = inbox.locator("#thread .msg.from-enterprise img")
    assert await drawn(staff_side) == (64, PHOTO_RGB)
    await expect(form.locator("input[type=file]")).to_have_value("")
    caption = await chat.locator(".msg.bot img.photo").last.get_attribute("alt")
    assert caption is not None and reference in caption
