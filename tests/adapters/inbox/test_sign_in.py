"""Signing in to the inbox: the one-time link, passwords, the session cookie, CSRF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from bot.adapters.inbox.passwords import hash_password
from bot.config import ServerConfig
from tests.adapters.inbox.support import (
    StaffClient,
    csrf_in,
    file_case,
    login_token,
    staff_client,
    status_of,
    thread_texts,
)
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock


async def test_the_login_link_works_once_and_sets_a_strict_cookie(sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        token = await login_token(parts, clock)
        # Opening the link (or a chat app previewing it) does not spend it.
        for _ in range(2):
            page = await client.get(f"/inbox/login?token={token}")
            assert page.status == 200
            assert "进入收件箱" in await page.text()
            # The URL holds the token: it never goes to another origin as a referrer (and
            # "no-referrer" would make browsers send "Origin: null" on the form's POST).
            assert page.headers["Referrer-Policy"] == "same-origin"
        form = {"csrf": csrf_in(await page.text()), "token": token}
        signed = await client.post("/inbox/login", data=form, allow_redirects=False)
        assert signed.status == 303
        assert signed.headers["Location"] == "/inbox"
        cookie = signed.cookies["odr_inbox"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == "/inbox"
        assert not cookie["secure"]  # plain http base URL (development)
        home = await client.get("/inbox")
        assert "鞍山鑫汇购物广场有限公司" in await home.text()
        # The same link again, from another browser: refused.
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            other = StaffClient(http, str(client.make_url("")).rstrip("/"))
            again = await other.sign_in(token)
            assert again.status == 401
            assert "登录链接无效、已使用或已过期" in await again.text()
            assert "odr_inbox" not in again.cookies
            assert (await other.get("/inbox")).status == 303


async def test_the_cookie_is_secure_behind_https(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    config = app_config(sqlite_url, tmp_path,
                        server=replace(ServerConfig(), public_url="https://odr.example.cn"))
    async with http_client(config, clock) as (client, parts):
        token = await login_token(parts, clock)
        page = await client.get(f"/inbox/login?token={token}")
        nonce = page.cookies["odr_inbox_login"]
        assert nonce["secure"]
        # The client talks plain http to the test server: hand the Secure cookie back.
        signed = await client.post("/inbox/login", data={
            "csrf": csrf_in(await page.text()), "token": token}, allow_redirects=False,
            cookies={"odr_inbox_login": nonce.value})
        assert signed.status == 303
        assert signed.cookies["odr_inbox"]["secure"]
        assert signed.cookies["odr_inbox"]["httponly"]


async def test_an_expired_or_unknown_link_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        token = await login_token(parts, clock)
        clock.advance(hours=73)  # invitations last 72 hours
        for attempt in (token, "A" * 43):
            page = await client.get(f"/inbox/login?token={attempt}")
            refused = await client.post("/inbox/login", allow_redirects=False, data={
                "csrf": csrf_in(await page.text()), "token": attempt})
            assert refused.status == 401
            assert "odr_inbox" not in refused.cookies


async def test_password_sign_in_and_throttling(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        await login_token(parts, clock)
        async with parts.db.unit_of_work() as uow:
            await uow.staff.set_password(1, hash_password("correct horse battery"))
            await uow.commit()

        async def attempt(password: str) -> aiohttp.ClientResponse:
            page = await client.get("/inbox/login")
            return await client.post("/inbox/login", allow_redirects=False, data={
                "csrf": csrf_in(await page.text()), "staff_id": "1", "password": password})

        wrong = await attempt("wrong password")
        assert wrong.status == 401
        assert "工号或密码不正确" in await wrong.text()
        assert (await attempt("correct horse battery")).status == 303
        for _ in range(7):
            await attempt("guessing")
        throttled = await attempt("correct horse battery")
        assert throttled.status == 429


async def test_a_sign_in_form_without_its_nonce_is_refused(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        token = await login_token(parts, clock)
        forged = await client.post("/inbox/login", data={"csrf": "x", "token": token},
                                   allow_redirects=False)
        assert forged.status == 403
        # The link was not spent by the forged form.
        async with staff_client(client, parts, clock) as staff:
            assert staff.csrf


async def test_pages_and_actions_need_a_session(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        page = await client.get("/inbox", headers={"Accept": "text/html"},
                                allow_redirects=False)
        assert page.status == 303
        assert page.headers["Location"] == "/inbox/login"
        for path in (f"/inbox/cases/{filed.reference}/accept", "/inbox/logout"):
            assert (await client.post(path, data={"text": "x"})).status == 401
        for path in ("/inbox/events", f"/inbox/cases/{filed.reference}/evidence/0",
                     "/inbox/stats.csv"):
            assert (await client.get(path)).status == 401
        assert await status_of(parts, filed.reference) == "submitted"
        script = await client.get("/inbox/static/inbox.js")
        assert script.status == 200
        assert script.headers["Content-Type"].startswith("application/javascript")
        assert (await client.get("/inbox/static/..%2Froutes.py")).status == 404


async def test_posts_without_the_csrf_token_change_nothing(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        async with staff_client(client, parts, clock) as staff:
            path = f"/inbox/cases/{filed.reference}/reply"
            missing = await staff.post(path, {"text": "您好"})
            wrong = await staff.post(path, {"text": "您好"}, headers={"X-CSRF-Token": "nope"})
            cross = await staff.post(path, {"csrf": staff.csrf, "text": "您好"},
                                     headers={"Origin": "https://evil.example"})
            assert [missing.status, wrong.status, cross.status] == [403, 403, 403]
            assert "页面已过期" in await missing.text()
            assert await status_of(parts, filed.reference) == "submitted"
            assert await thread_texts(parts, filed.reference) == []
            # The header form of the token works (fetch).
            ok = await staff.post(path, {"text": "您好"}, headers={
                "X-CSRF-Token": staff.csrf, "Accept": "application/json"})
            assert ok.status == 200
            assert await ok.json() == {"ok": True}


async def test_sign_out_ends_the_session(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        async with staff_client(client, parts, clock) as staff:
            cookie = staff.http.cookie_jar.filter_cookies(
                client.make_url("/inbox"))["odr_inbox"].value
            out = await staff.post("/inbox/logout", {"csrf": staff.csrf})
            assert out.status == 303
            assert out.headers["Location"] == "/inbox/login"
            replay = await client.get("/inbox", headers={"Accept": "text/html"},
                                      cookies={"odr_inbox": cookie}, allow_redirects=False)
            assert replay.status == 303


async def test_sessions_expire(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        async with staff_client(client, parts, clock) as staff:
            clock.advance(hours=13)
            assert (await staff.get("/inbox")).status == 303


async def test_the_sign_in_throttle_is_one_limit_for_every_worker(database_url: str,
                                                                   tmp_path: Path) -> None:
    """Two servers on one database (two workers): failures on either count toward one
    limit; after the window the address may try again."""
    clock = FakeClock()
    config = app_config(database_url, tmp_path)
    async with http_client(config, clock) as (first, parts), \
            http_client(config, clock) as (second, _):
        await login_token(parts, clock)
        async with parts.db.unit_of_work() as uow:
            await uow.staff.set_password(1, hash_password("correct horse battery"))
            await uow.commit()

        async def attempt(client: TestClient[Any, Any], password: str) -> int:
            page = await client.get("/inbox/login")
            response = await client.post("/inbox/login", allow_redirects=False, data={
                "csrf": csrf_in(await page.text()), "staff_id": "1", "password": password})
            return response.status

        for client in (first, second) * 4:
            assert await attempt(client, "guessing") == 401
        assert await attempt(first, "correct horse battery") == 429
        assert await attempt(second, "correct horse battery") == 429
        clock.advance(minutes=16)
        assert await attempt(second, "correct horse battery") == 303
