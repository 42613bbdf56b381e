"""Staff send a photo from the inbox's reply box (issue 6): multipart with the CSRF token,
images only, the web chat's size limit; stored like evidence, shown in the case thread and
relayed to the consumer through the outbox, on their channel (here the web chat)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.app import Components
from bot.core.media import MAX_IMAGE_BYTES
from storage.tables import outbox
from tests.adapters.inbox.support import WANXIANG, StaffClient, file_case, staff_client
from tests.adapters.inbox.test_cases import _png
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock

JSON = {"Accept": "application/json"}


def upload(staff: StaffClient, text: str, data: bytes | io.BytesIO, filename: str = "receipt.png",
           content_type: str = "image/png", csrf: str | None = None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf", staff.csrf if csrf is None else csrf)
    form.add_field("text", text)
    form.add_field("photo", data, filename=filename, content_type=content_type)
    return form


async def reply_with_photo(staff: StaffClient, reference: str, form: aiohttp.FormData,
                           **kwargs: Any) -> aiohttp.ClientResponse:
    return await staff.http.post(staff.url(f"/inbox/cases/{reference}/reply"), data=form,
                                 allow_redirects=False, **kwargs)


async def rows_to(parts: Components, recipient: str) -> list[tuple[int, dict[str, Any]]]:
    async with parts.db.unit_of_work() as uow:
        found = (await uow.connection.execute(
            select(outbox.c.id, outbox.c.payload).where(outbox.c.recipient == recipient)
            .order_by(outbox.c.id))).all()
    return [(int(r[0]), dict(r[1])) for r in found]


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


async def test_a_photo_from_the_inbox_reaches_the_consumer_web_chat(
        database_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(database_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        ref = filed.reference
        async with staff_client(client, parts, clock) as staff:
            sent = await reply_with_photo(staff, ref, upload(staff, "这是退款凭证", _png()))
            assert sent.status == 303
            assert sent.headers["Location"] == f"/inbox/cases/{ref}?done=reply"
            page = await (await staff.get(sent.headers["Location"])).text()
            assert "这是退款凭证" in page
            assert f'src="/inbox/cases/{ref}/thread/0/photo"' in page
            shown = await staff.get(f"/inbox/cases/{ref}/thread/0/photo")
            assert (shown.status, shown.content_type) == (200, "image/png")
            assert await shown.read() == _png()
        [stored] = stored_files(tmp_path)
        assert stored.parent.parent.name == "inbox" and stored.suffix == ".png"
        rows = await rows_to(parts, filed.consumer)
        texts = [str(p.get("text", "")) for _, p in rows]
        assert any("这是退款凭证" in t for t in texts)
        [(photo_id, _)] = [(i, p) for i, p in rows if p.get("media")]
        assert rows[-1][0] == photo_id  # the notice goes first, then the photo
        seen = await client.get(f"/chat/photo/{photo_id}", cookies={"odr_sid": filed.consumer})
        assert (seen.status, await seen.read()) == (200, _png())


async def test_a_photo_alone_is_a_reply_and_accepts_the_case(
        sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        async with staff_client(client, parts, clock) as staff:
            sent = await reply_with_photo(staff, filed.reference, upload(staff, "", _png()),
                                          headers=JSON)
            assert (sent.status, await sent.json()) == (200, {"ok": True})
        texts = [str(p.get("text", "")) for _, p in await rows_to(parts, filed.consumer)]
        assert any("已受理" in t for t in texts)
        assert any("发来一张照片" in t for t in texts)


async def test_only_images_within_the_limit_are_taken(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        filed = await file_case(parts, clock)
        before = await rows_to(parts, filed.consumer)
        async with staff_client(client, parts, clock) as staff:
            pdf = upload(staff, "合同", b"%PDF-1.7 fake", "contract.pdf", "application/pdf")
            refused = await reply_with_photo(staff, filed.reference, pdf, headers=JSON)
            assert refused.status == 415
            error = (await refused.json())["error"]
            assert error["code"] == "bad_photo"
            assert "只能发送图片" in error["message"]
            disguised = upload(staff, "", b"<?php evil ?>", "x.png", "image/png")
            english = await reply_with_photo(staff, filed.reference, disguised,
                                             headers={**JSON, "Accept-Language": "en"})
            assert (await english.json())["error"]["message"].startswith("Only images")
            huge = io.BytesIO(_png() + b"\x00" * MAX_IMAGE_BYTES)  # (bytes: not streamed)
            too_big = await reply_with_photo(staff, filed.reference,
                                             upload(staff, "", huge), headers=JSON)
            assert too_big.status == 413
            assert (await too_big.json())["error"] == {
                "code": "photo_too_large", "message": "照片太大：最大 20 MB。"}
            page = await reply_with_photo(staff, filed.reference, upload(
                staff, "请看附件", b"%PDF", "a.pdf", "application/pdf"))  # no script: a page
            html = await page.text()
            assert page.status == 415 and "只能发送图片" in html and "请看附件" in html
        assert stored_files(tmp_path) == []
        assert await rows_to(parts, filed.consumer) == before


async def test_no_photo_without_the_csrf_token_or_on_another_enterprise_case(
        sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with http_client(app_config(sqlite_url, tmp_path), clock) as (client, parts):
        foreign = await file_case(parts, clock, WANXIANG)
        own = await file_case(parts, clock)
        async with staff_client(client, parts, clock) as staff:
            forged = await reply_with_photo(staff, own.reference,
                                            upload(staff, "x", _png(), csrf="forged"))
            assert forged.status == 403
            assert stored_files(tmp_path) == []
            hidden = await reply_with_photo(staff, foreign.reference, upload(staff, "x", _png()),
                                            headers=JSON)
            assert hidden.status == 404
            assert (await hidden.json())["error"]["code"] == "not_found"
        for filed in (own, foreign):
            assert not [p for _, p in await rows_to(parts, filed.consumer) if p.get("media")]
