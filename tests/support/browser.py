"""Headless Chromium (Debian's package) driven by Playwright, and a live loopback server."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

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
