"""Script never runs in the browser: a consumer files a complaint whose product, facts and
address are XSS payloads, the clerk answers with one, the consumer answers back with one;
the web chat, the inbox list, the inbox case page (with its live updates) and the
escalation pack all show them as text. No dialog opens, no injected element exists, no
payload's side effect (``window.__xss``) happens — in headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Dialog, Page, async_playwright, expect

from bot.pages.escalation import pack_link
from tests.adapters.inbox.support import login_token
from tests.support.app import app_config
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, live_server, require_chromium
from tests.support.clock import FakeClock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRODUCT = '<img src=x onerror="window.__xss=1;alert(1)">洗衣机'
FACTS = '<script>window.__xss=2;alert(2)</script>用了两天就坏了，<svg onload="alert(3)">'
ADDRESS = '鞍山市铁东区<iframe src="javascript:alert(4)"></iframe>'
STAFF = '<img src=x onerror="window.__xss=5;alert(5)">您好，请问是完全不转吗？'
CONSUMER = '"><script>window.__xss=6;alert(6)</script>还是不脱水'
INTAKE = [("我要投诉", "哪个商家"), ("鑫汇", "什么商品"), (PRODUCT, "发生了什么问题"),
          (FACTS, "哪天购买"), ("跳过", "付了多少钱"), ("跳过", "什么方式购买"),
          ("1", "怎么解决"), ("1", "姓名和手机号"), ("王芳 13912345678", "城市和区县"),
          (ADDRESS, "请核对您的投诉"), ("1", "您是否同意"), ("1", "投诉已提交")]
INJECTED = ('img[src="x"], iframe, script:not([src]), [onerror], [onload], '
            'svg:not(.chart):not(.chart *)')


class Watch:
    """Every page's dialogs, and a check that nothing injected exists or ran."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []

    def attach(self, page: Page) -> Page:
        async def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(dialog.message)
            await dialog.dismiss()  # an open dialog would freeze the page

        page.on("dialog", on_dialog)
        return page

    async def clean(self, page: Page, where: str) -> None:
        assert await page.locator(INJECTED).count() == 0, f"{where}: injected element"
        assert await page.evaluate("() => window.__xss === undefined"), f"{where}: script ran"
        assert self.dialogs == [], f"{where}: dialogs {self.dialogs}"


async def _say(page: Page, text: str, expect_text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")
    await expect(page.locator(".msg.bot").last).to_contain_text(expect_text)


async def _file_in_chat(chat: Page, url: str, watch: Watch) -> str:
    await chat.goto(url)
    for said, next_question in INTAKE:
        await _say(chat, said, next_question)
    found = re.search(r"TS\d{14}", await chat.locator(".msg.bot").last.inner_text())
    assert found is not None
    await expect(chat.locator(".msg.me", has_text=PRODUCT)).to_have_count(1)
    await watch.clean(chat, "web chat after the intake")
    return found.group(0)


async def _answer_in_inbox(inbox: Page, chat: Page, url: str, token: str, reference: str,
                           watch: Watch) -> None:
    """The clerk sees the case in the list and on its page, answers, gets an answer."""
    await inbox.goto(f"{url}/inbox/login?token={token}")
    await inbox.click("#use-link")
    row = inbox.locator(f'tr.case-row[data-ref="{reference}"]')
    await expect(row.locator(".product")).to_contain_text(PRODUCT)
    await watch.clean(inbox, "inbox list")
    await row.get_by_role("link").click()
    await expect(inbox.locator("main")).to_contain_text(FACTS)
    await inbox.fill("#reply-form textarea", STAFF)
    await inbox.click("#reply-form button")
    await expect(chat.locator(".msg.bot").last).to_contain_text(STAFF)
    await _say(chat, CONSUMER, "已转达")
    await expect(inbox.locator("#thread")).to_contain_text(CONSUMER)  # a live update
    await inbox.reload()  # the server-rendered page with every payload at once
    for shown in (FACTS, ADDRESS, STAFF, CONSUMER):
        await expect(inbox.locator("main")).to_contain_text(shown)
    await watch.clean(inbox, "inbox case page")
    await inbox.goto(f"{url}/inbox")
    await watch.clean(inbox, "inbox list, reloaded")


async def test_payloads_show_as_text_in_chat_inbox_and_pack(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    require_chromium()
    clock = FakeClock()
    watch = Watch()
    async with live_server(app_config(sqlite_url, tmp_path), clock) as (url, parts), \
            async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        chat = watch.attach(await (await browser.new_context()).new_page())
        reference = await _file_in_chat(chat, url, watch)
        inbox = watch.attach(await (await browser.new_context()).new_page())
        await _answer_in_inbox(inbox, chat, url, await login_token(parts, clock), reference,
                               watch)
        await chat.reload()  # the transcript is rebuilt from the page's storage
        await expect(chat.locator(".msg.bot", has_text=STAFF)).to_have_count(1)
        await watch.clean(chat, "web chat, reloaded")
        pack = watch.attach(await (await browser.new_context()).new_page())
        await pack.goto(pack_link(url, parts.secret, reference, now=clock().timestamp()))
        await expect(pack.locator("body")).to_contain_text(CONSUMER)
        await watch.clean(pack, "escalation pack")
        await browser.close()
