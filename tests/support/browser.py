"""Headless Chromium (Debian's package) driven by Playwright, and a live loopback server."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from bot.app import COMPONENTS, Components, build_app
from bot.config import Config
from tests.support.app import seed_demo
from tests.support.clock import FakeClock

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium reaches for Google's hosts at start (the sandbox has no network).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("ODRBOT_REQUIRE_BROWSER"):
            pytest.fail("ODRBOT_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium not installed (make test installs it as root)")


@asynccontextmanager
async def live_server(config: Config, clock: FakeClock
                      ) -> AsyncIterator[tuple[str, Components]]:
    app = build_app(config, clock)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    parts = app[COMPONENTS]
    await seed_demo(parts, clock)
    try:
        yield f"http://127.0.0.1:{port}", parts
    finally:
        await runner.cleanup()


RICH_COMPLAINT = ("我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，"
                  "要求退货退款")


async def say_in_chat(page: Page, text: str, expect_text: str) -> None:
    """Type into the web chat and wait for the bot's last message to contain ``expect_text``."""
    await page.fill("#input", text)
    await page.press("#input", "Enter")
    await expect(page.locator(".msg.bot").last).to_contain_text(expect_text)


async def file_complaint_in_chat(page: Page) -> str:
    """The rich first message, then buttons and answers to the end; the reference."""
    await expect(page.locator(".msg.bot").first).to_contain_text("ODR")
    await say_in_chat(page, RICH_COMPLAINT, "请问是通过什么方式购买的")
    await page.get_by_role("button", name="线下门店").click()
    await expect(page.locator(".msg.bot").last).to_contain_text("姓名和手机号")
    await say_in_chat(page, "王芳 13912345678", "城市和区县")
    await say_in_chat(page, "鞍山市铁东区", "请核对您的投诉")
    await page.get_by_role("button", name="确认无误").click()
    await expect(page.locator(".msg.bot").last).to_contain_text("您是否同意")
    await page.get_by_role("button", name="同意并提交").click()
    last = page.locator(".msg.bot").last
    await expect(last).to_contain_text("投诉已提交")
    reference = re.search(r"TS\d{14}", await last.inner_text())
    assert reference is not None
    return reference.group(0)
