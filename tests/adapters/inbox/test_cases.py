"""The case list and one case in the inbox, over real HTTP: filters, search, actions with
their polite refusals, authorization (another enterprise's case is a 404 like an unknown
one), escaping of everything a consumer typed, photos, and the live event stream."""

from __future__ import annotations

import asyncio
import json
import logging
import struct
import zlib
from pathlib import Path

import pytest
from aiohttp import ClientResponse

from bot.core.media import store_image
from bot.domain.complaint import Evidence
from bot.domain.states import Status
from bot.services.cases import CaseService, ConsumerActor
from tests.adapters.inbox.support import (
    WANXIANG,
    XINHUI,
    file_case,
    staff_client,
    status_of,
    thread_texts,
)
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>',
       "</textarea><svg onload=alert(3)>", "{{ 7*7 }}"]


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _refs(html: str, refs: list[str]) -> list[str]:
    """The listed references, in the order the page shows them."""
    shown = [r for r in refs if f'data-ref="{r}"' in html]
    return sorted(shown, key=lambda r: html.index(f'data-ref="{r}"'))


async def test_filters_and_search(database_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(database_url, tmp_path), clock) as (client, parts):
        far = await file_case(parts, clock, phone="13900000001")
        soon = await file_case(parts, clock, category="S08", deadline_days=1,
                               phone="13900000002")
        late = await file_case(parts, clock, deadline_days=-2, phone="13900000003")
        done = await file_case(parts, clock, status=Status.CLOSED, phone="13900000004")
        foreign = await file_case(parts, clock, WANXIANG, phone="13900000001")
        refs = [far.reference, soon.reference, late.reference, done.reference,
                foreign.reference]
        async with staff_client(client, parts, clock) as staff:
            async def listed(query: str) -> list[str]:
                page = await staff.get(f"/inbox?{query}")
                assert page.status == 200
                return _refs(await page.text(), refs)

            assert await listed("") == [late.reference, soon.reference, far.reference]
            assert await listed("state=all") == [late.reference, soon.reference, far.reference,
                                                 done.reference]
            assert await listed("state=closed") == [done.reference]
            assert await listed("due=soon") == [late.reference, soon.reference]
            assert await listed("due=overdue") == [late.reference]
            assert await listed("category=S08") == [soon.reference]
            assert await listed(f"q={soon.reference.lower()}") == [soon.reference]
            assert await listed("state=all&q=1390000000") == [
                late.reference, soon.reference, far.reference, done.reference]
            assert await listed("q=13900000001") == [far.reference]
            assert await listed(f"q={foreign.reference}") == []
            assert await listed("state=nonsense&due=%3Cx%3E&category=<b>") == [
                late.reference, soon.reference, far.reference]
            rows = await staff.get("/inbox?part=rows")
            assert "<tbody id=\"rows\">" in await rows.text()


async def test_another_enterprises_case_answers_like_an_unknown_one(
        sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        image = store_image(parts.config.media.dir, "web", _png())
        foreign = await file_case(parts, clock, WANXIANG, evidence=(
            Evidence(image.path, image.sha256, image.content_type),))
        async with staff_client(client, parts, clock, XINHUI) as staff:
            caplog.set_level(logging.WARNING)
            unknown = await staff.get("/inbox/cases/TS20991231999999")
            theirs = await staff.get(f"/inbox/cases/{foreign.reference}")
            assert unknown.status == theirs.status == 404
            assert (await unknown.text()).replace("TS20991231999999", "") == \
                (await theirs.text()).replace(foreign.reference, "")
            for action in ("accept", "reply", "propose", "refuse", "settle"):
                refused = await staff.act(foreign.reference, action, "好的")
                assert refused.status == 404
            assert (await staff.get(f"/inbox/cases/{foreign.reference}/evidence/0")).status == 404
            assert (await staff.get(f"/inbox/cases/{foreign.reference}/thread/0/photo")
                    ).status == 404
            assert await status_of(parts, foreign.reference) == Status.SUBMITTED
            assert await thread_texts(parts, foreign.reference) == []
            assert "denied: staff" in caplog.text
        async with staff_client(client, parts, clock, WANXIANG, "王经理") as owner:
            own = await owner.get(f"/inbox/cases/{foreign.reference}")
            assert own.status == 200
            photo = await owner.get(f"/inbox/cases/{foreign.reference}/evidence/0")
            assert photo.status == 200
            assert photo.headers["Content-Type"] == "image/png"
            assert await photo.read() == _png()
            assert (await owner.get(f"/inbox/cases/{foreign.reference}/evidence/1")).status == 404
            assert (await owner.get(f"/inbox/cases/{foreign.reference}/evidence/..%2F..%2Fx")
                    ).status == 404


async def test_everything_a_consumer_typed_is_escaped(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock, product=XSS[0], facts=" ".join(XSS), name=XSS[1],
                                merchant=XSS[2])
        async with staff_client(client, parts, clock) as staff:
            await staff.act(filed.reference, "accept")
            async with parts.db.unit_of_work() as uow:
                case = await uow.cases.by_reference(filed.reference)
                assert case is not None
                await CaseService(uow, clock()).consumer_message(
                    ConsumerActor(case.consumer_id, "web"), filed.reference, XSS[2])
                await uow.commit()
            await staff.act(filed.reference, "reply", XSS[3])
            failed = await staff.act(filed.reference, "propose", XSS[2] + "x" * 2100)
            assert failed.status == 413
            pages = [await (await staff.get("/inbox")).text(),
                     await (await staff.get(f"/inbox/cases/{filed.reference}")).text(),
                     await failed.text()]
            for html in pages:
                for payload in XSS[:3]:
                    assert payload not in html
                assert "<script>alert" not in html and "onerror=alert(2)>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]
            assert "{{ 7*7 }}" in pages[1]  # shown as typed, never evaluated
            page = await staff.get(f"/inbox/cases/{filed.reference}")
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


async def _answer(response: ClientResponse) -> str:
    assert response.headers["Content-Type"].startswith("text/html")
    return await response.text()


async def test_actions_and_polite_refusals(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        ref = filed.reference
        async with staff_client(client, parts, clock) as staff:
            case_page = await _answer(await staff.get(f"/inbox/cases/{ref}"))
            assert "受理后显示消费者的联系方式" in case_page
            assert "13912345678" not in case_page
            accepted = await staff.act(ref, "accept")
            assert accepted.status == 303
            assert accepted.headers["Location"] == f"/inbox/cases/{ref}?done=accept"
            page = await _answer(await staff.get(accepted.headers["Location"]))
            assert "已受理，消费者已收到通知" in page and "13912345678" in page
            empty = await staff.act(ref, "reply", "   ")
            assert empty.status == 422
            assert "内容不能为空" in await _answer(empty)
            for long_text in ("x" * 20_000, "长" * 20_000):
                too_long = await staff.act(ref, "reply", long_text)
                assert too_long.status == 413
                assert "内容太长：最多 2000 字" in await _answer(too_long)
            assert await thread_texts(parts, ref) == []
            assert (await staff.act(ref, "reply", "您好，请问洗衣机报什么错？")).status == 303
            assert (await staff.act(ref, "propose", "全额退款 3299 元")).status == 303
            assert await status_of(parts, ref) == Status.PROPOSED
            async with parts.db.unit_of_work() as uow:
                case = await uow.cases.by_reference(ref)
                assert case is not None
                await uow.cases.update(case.id, clock(), status=Status.CLOSED)
                await uow.commit()
            closed = await staff.act(ref, "propose", "再加 100 元补偿")
            assert closed.status == 409
            text = await _answer(closed)
            assert "这件投诉目前为「已办结」，不能提出方案" in text
            assert "再加 100 元补偿" in text  # what was typed is kept in the box
            as_json = await staff.act(ref, "reply", "还在吗", headers={"Accept": "application/json"})
            assert as_json.status == 409
            assert (await as_json.json())["error"]["code"] == "illegal"
            unknown = await staff.act("TS20991231999999", "accept")
            assert unknown.status == 404
            assert "找不到这件投诉" in await _answer(unknown)
            assert (await staff.act(ref, "delete")).status == 404
            assert await thread_texts(parts, ref) == ["您好，请问洗衣机报什么错？", "全额退款 3299 元"]


async def _events(response: ClientResponse, count: int) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    while len(found) < count:
        line = (await asyncio.wait_for(response.content.readline(), 10)).decode()
        if line.startswith("data: "):
            found.append(json.loads(line[6:]))
    return found


async def test_the_event_stream_carries_the_enterprise_s_events_only(sqlite_url: str,
                                                                     tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        before = await file_case(parts, clock)
        async with staff_client(client, parts, clock) as staff:
            stream = await staff.http.get(staff.url("/inbox/events"))
            assert stream.headers["Content-Type"] == "text/event-stream"
            await file_case(parts, clock, WANXIANG)  # another enterprise's: not seen
            new = await file_case(parts, clock)
            await staff.act(before.reference, "accept")
            events = await _events(stream, 2)
            assert events == [
                {"event": "complaint_submitted", "reference": new.reference,
                 "status": "submitted"},
                {"event": "accepted", "reference": before.reference, "status": "accepted"}]
            stream.close()
            page = await staff.get(f"/inbox/cases/{new.reference}?part=live")
            assert 'id="live-part"' in await page.text()


async def test_pages_in_english(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        async with staff_client(client, parts, clock) as staff:
            listed = await staff.get("/inbox?lang=en")
            assert "Complaints" in await listed.text()
            assert listed.cookies["odr_lang"].value == "en"
            case = await (await staff.get(f"/inbox/cases/{filed.reference}")).text()
            assert "Send reply" in case and "waiting for acceptance" in case
            assert "household electronics" in case and "return the goods" in case
            empty = await staff.act(filed.reference, "reply", "")
            assert "Please write something first." in await empty.text()
            chinese = await staff.get("/inbox", headers={"Accept-Language": "zh-CN"})
            assert "Complaints" in await chinese.text()  # the switch wins over the header
            switched = await staff.get("/inbox?lang=zh")
            assert "投诉列表" in await switched.text()
        fresh = await client.get("/inbox/login", headers={"Accept-Language": "en-GB,en"})
        assert "Sign in to the enterprise inbox" in await fresh.text()
