"""A consumer files a complaint in the web chat, in headless Chromium, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

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

pytestmark = pytest.mark.browser


async def test_file_a_complaint_in_the_browser(sqlite_url: str, tmp_path: Path) -> None:
    require_chromium()
    async with live_server(app_config(sqlite_url, tmp_path), FakeClock()) as (url, _parts), \
            async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(url)
        reference = await file_complaint_in_chat(page)
        # A reload keeps the transcript and the stream resumes without repeats.
        await page.reload()
        await expect(page.locator(".msg.bot").last).to_contain_text(reference)
        await say_in_chat(page, f"查询 {reference}", "已提交，待企业受理")
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
        await say_in_chat(page, "我要投诉", "哪个商家")
        await say_in_chat(page, "<img src=x onerror=alert(1)>", "12315")
        assert await page.locator(".msg.me", has_text="<img src=x onerror=alert(1)>").count() == 1
        assert await page.locator("img").count() == 0
        assert dialogs == []
        await browser.close()
