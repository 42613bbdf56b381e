"""Headless Chromium (Debian's package) driven by Playwright, and a live loopback server."""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from playwright.async_api import Locator, Page, expect

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


PHOTO_RGB = (200, 30, 40)
"""The colour of :func:`png_image`'s pictures."""


def png_image(width: int, height: int, rgb: tuple[int, int, int] = PHOTO_RGB) -> bytes:
    """A real, decodable PNG of one colour: a browser must be able to draw it (naturalWidth
    is ``width``), which a file that only starts with the PNG signature is not."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


async def drawn(image: Locator) -> tuple[int, tuple[int, int, int]]:
    """(natural width, colour of the middle pixel) of an <img> the browser has loaded and
    decoded: a missing picture fails the decode, and a file whose header is right but whose
    pixels are not does not show :func:`png_image`'s colour."""
    await expect(image).to_be_visible()
    found = await image.evaluate("""async (img) => {
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const [r, g, b] = context.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1,
                                               1, 1).data;
        return [img.naturalWidth, [r, g, b]];
    }""")
    width, (r, g, b) = found
    return int(width), (int(r), int(g), int(b))
