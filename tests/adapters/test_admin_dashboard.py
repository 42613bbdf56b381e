"""The regulator dashboard over HTTP: one-time login, figures, CSV export, no access
without a session; and in headless Chromium."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from bot.app import Components
from bot.domain.deadlines import CHINA
from tests.support.app import Chat, app_config, http_client
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, live_server, require_chromium
from tests.support.clock import FakeClock

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


async def _login_token(parts: Components, clock: FakeClock) -> str:
    token = secrets.token_urlsafe(16)
    async with parts.db.unit_of_work() as uow:
        operator = await uow.operators.create("市场监管局 张三", clock())
        await uow.operators.add_token(operator, "login", token, clock() + timedelta(hours=72))
        await uow.commit()
    return token


async def _file(parts: Components, clock: FakeClock) -> None:
    chat = Chat(parts, clock)
    for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1"):
        await chat.say(answer)


async def test_dashboard_needs_a_login_and_shows_the_figures(sqlite_url: str,
                                                            tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        await _file(parts, clock)
        assert (await client.get("/admin")).status == 401
        token = await _login_token(parts, clock)
        page = await client.get(f"/admin/login?token={token}", allow_redirects=False)
        assert page.status == 303
        assert page.cookies["odr_admin"]["httponly"]
        again = await client.get(f"/admin/login?token={token}")
        assert again.status == 403  # the link works once
        body = await (await client.get("/admin")).text()
        assert "按时办结率" in body and "家用电子电器" in body and "辽宁省鞍山市铁东区" in body
        assert "13912345678" not in body and "王芳" not in body  # figures, not people
        # The page took in the new case itself: its figures are as of the page's time.
        assert f"数据截至 {clock().astimezone(CHINA):%Y-%m-%d %H:%M:%S}（北京时间）" in body
        export = await client.get("/admin/export.csv?district=辽宁省鞍山市")
        text = await export.text()
        assert export.headers["Content-Type"].startswith("text/csv")
        assert "overview,投诉量,1" in text and "category,家用电子电器,1" in text
        nothing = await (await client.get("/admin/export.csv?district=甘肃")).text()
        assert "overview,投诉量,0" in nothing


async def test_logout_needs_the_csrf_token(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        token = await _login_token(parts, clock)
        await client.get(f"/admin/login?token={token}")
        assert (await client.post("/admin/logout", data={"csrf": "forged"})).status == 403
        assert (await client.get("/admin")).status == 200


@pytest.mark.browser
async def test_dashboard_in_the_browser(sqlite_url: str, tmp_path: Path) -> None:
    require_chromium()
    clock = FakeClock()
    async with live_server(app_config(sqlite_url, tmp_path), clock) as (url, parts), \
            async_playwright() as playwright:
        await _file(parts, clock)
        token = await _login_token(parts, clock)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"{url}/admin/login?token={token}")
        await expect(page.locator("header")).to_contain_text("ODR 监管看板")
        await expect(page.locator(".tile").first).to_contain_text("1")
        assert await page.locator("svg.chart").count() >= 5
        await page.fill("input[name=district]", "甘肃省")
        await page.click("text=筛选")
        await expect(page.locator(".tile").first).to_contain_text("0")
        await browser.close()
