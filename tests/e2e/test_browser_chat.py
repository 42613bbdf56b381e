"""A consumer files a complaint in the web chat, in headless Chromium, end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.support.app import app_config
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, live_server, require_chromium
from tests.support.clock import FakeClock

pytestmark = pytest.mark.browser


async def _say(page: Page, text: str, expect_text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")
    await expect(page.locator(".msg.bot").last).to_contain_text(expect_text)


async def test_file_a_complaint_in_the_browser(sqlite_url: str, tmp_path: Path) -> None:
    require_chromium()
    async with live_server(app_config(sqlite_url, tmp_path), FakeClock()) as (url, _parts), \
            async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(url)
        await expect(page.locator(".msg.bot").first).to_contain_text("ODR")
        await _say(page, "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，"
                         "要求退货退款", "请问是通过什么方式购买的")
        await page.get_by_role("button", name="线下门店").click()
        await expect(page.locator(".msg.bot").last).to_contain_text("姓名和手机号")
        await _say(page, "王芳 13912345678", "城市和区县")
        await _say(page, "鞍山市铁东区", "请核对您的投诉")
        await page.get_by_role("button", name="确认无误").click()
        await expect(page.locator(".msg.bot").last).to_contain_text("您是否同意")
        await page.get_by_role("button", name="同意并提交").click()
        last = page.locator(".msg.bot").last
        await expect(last).to_contain_text("投诉已提交")
        reference = re.search(r"TS\d{14}", await last.inner_text())
        assert reference is not None
        # A reload keeps the transcript and the stream resumes without repeats.
        await page.reload()
        await expect(page.locator(".msg.bot").last).to_contain_text(reference.group(0))
        await _say(page, f"查询 {reference.group(0)}", "已提交，待企业受理")
        assert await page.locator(".msg.bot", has_text="投诉已提交").count() == 1
        await browser.close()


async def test_user_text_is_shown_as_text_never_run(sqlite_url: str, tmp_path: Path) -> None:
    require_chromium()
    async with live_server(app_config(sqlite_url, tmp_path), FakeClock()) as (url, _parts), \
            async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(url)
        await _say(page, "我要投诉", "哪个商家")
        await _say(page, "<img src=x onerror=alert(1)>", "12315")
        assert await page.locator(".msg.me", has_text="<img src=x onerror=alert(1)>").count() == 1
        assert await page.locator("img").count() == 0
        assert dialogs == []
        await browser.close()
