"""The same photo is uploaded to WeChat once: its temporary media_id is kept per file
(sha256) in the database and reused for 2.5 days (WeChat keeps it 3); a media_id WeChat
no longer knows (40007) is forgotten and the file uploaded again. And a photo staff send
from the web inbox reaches a consumer on WeChat as an image (issue 6)."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.services.staff_admin import invite_staff
from tests.adapters.inbox.support import staff_client
from tests.adapters.wechat.client import WechatClient
from tests.adapters.wechat.conftest import Bot, wechat_bot
from tests.adapters.wechat.fake_api import PNG, FakeWechatApi
from tests.adapters.wechat.support import drained
from tests.adapters.wechat.test_photo_relay import (
    CLERK,
    CONSUMER,
    RECEIPT,
    negotiating,
    photo,
    rows_to,
)

CLERK_2 = "oClerk-2"


async def bind_second_clerk(bot: Bot, client: WechatClient) -> None:
    async with bot.parts.db.unit_of_work() as uow:
        code = (await invite_staff(uow, "as-xinhui", "agent", bot.clock())).code
        await uow.commit()
    assert "绑定成功" in (await client.say(CLERK_2, f"绑定 {code}") or "")


async def test_one_photo_to_two_clerks_is_uploaded_once(
        database_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(database_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await bind_second_clerk(bot, client)
        await negotiating(bot, client)
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == [PNG]
        assert fake_wechat.images_to(CLERK_2) == [PNG]
        assert len(fake_wechat.uploads) == 1


async def test_a_forgotten_media_id_is_uploaded_again_and_the_photo_still_arrives(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await negotiating(bot, client)
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        fake_wechat.expire_media()  # e.g. WeChat dropped it early
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == [PNG, PNG]
        first, second = fake_wechat.uploads
        assert first.data == second.data == PNG
        assert [r["status"] for r in await rows_to(bot.parts, CLERK)
                if r["kind"] == "photo"] == ["sent", "sent"]


async def test_a_media_id_is_reused_within_two_and_a_half_days_only(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await negotiating(bot, client)
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        for hours in (40, 21):  # 61 h after the upload: WeChat still has it, we do not trust it
            bot.clock.advance(hours=hours)
            client.clock += hours * 3600
            await client.say(CLERK, "列表")  # the clerk's 48-hour window stays open
            await photo(client, CONSUMER, "img-1")
            await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == [PNG, PNG, PNG]
        assert len(fake_wechat.uploads) == 2


async def test_a_photo_staff_send_from_the_inbox_reaches_a_wechat_consumer(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        ref = await negotiating(bot, client)
        async with staff_client(bot.http, bot.parts, bot.clock) as staff:
            form = aiohttp.FormData()
            form.add_field("csrf", staff.csrf)
            form.add_field("text", "退款凭证")
            form.add_field("photo", RECEIPT, filename="receipt.jpg", content_type="image/jpeg")
            sent = await staff.http.post(staff.url(f"/inbox/cases/{ref}/reply"), data=form,
                                         headers={"Accept": "application/json"})
            assert sent.status == 200
        await drained(bot.parts)
        assert "退款凭证" in fake_wechat.texts_to(CONSUMER)[-1]
        assert fake_wechat.images_to(CONSUMER) == [RECEIPT]
        assert fake_wechat.images_to(CLERK) == []  # the clerk on WeChat gets a note, no photo
