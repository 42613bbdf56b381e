"""Every message and event type WeChat delivers, and what the user sees back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.tables import identities, inbound_receipts
from tests.adapters.wechat.conftest import wechat_bot
from tests.adapters.wechat.fake_api import PNG, FakeWechatApi
from tests.adapters.wechat.support import count

UNSUPPORTED = "暂时只能处理文字和照片"


async def test_image_is_downloaded_at_once_and_kept_as_evidence(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.say("oUser-1", "我要投诉")
        image = {"PicUrl": "http://mmbiz.example/x", "MediaId": "img-1",
                 "MsgId": client.next_msg_id()}
        reply = await client.send("oUser-1", "image", image)
        assert reply is not None
        assert "已收到" in reply
        stored = list((tmp_path / "media" / "wechat").rglob("*.png"))
        assert [p.read_bytes() for p in stored] == [PNG]


async def test_image_outside_a_complaint_and_expired_media(sqlite_url: str, tmp_path: Path,
                                                          fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        reply = await client.send("oUser-1", "image",
                                  {"MediaId": "img-1", "MsgId": client.next_msg_id()})
        assert reply is not None
        assert "投诉" in reply
        gone = await client.send("oUser-1", "image",
                                 {"MediaId": "expired", "MsgId": client.next_msg_id()})
        assert gone is not None
        assert UNSUPPORTED in gone


async def test_voice_with_recognition_is_text_and_without_asks_for_text(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        heard = await client.send("oUser-1", "voice", {
            "MediaId": "v1", "Format": "amr", "Recognition": "我要投诉",
            "MsgId": client.next_msg_id()})
        assert heard is not None
        assert "请问您要投诉哪个商家" in heard
        silent = await client.send("oUser-1", "voice", {
            "MediaId": "v2", "Format": "amr", "MsgId": client.next_msg_id()})
        assert silent is not None
        assert "请用文字" in silent


async def test_location_label_is_read_as_text(sqlite_url: str, tmp_path: Path,
                                              fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.say("oUser-1", "我要投诉")
        reply = await client.send("oUser-1", "location", {
            "Location_X": "41.1", "Location_Y": "122.9", "Scale": "15",
            "Label": "鞍山鑫汇购物广场", "MsgId": client.next_msg_id()})
        assert reply is not None
        assert "请问您购买的是什么商品或服务" in reply


@pytest.mark.parametrize("msg_type", ["video", "shortvideo", "link", "file", "hologram"])
async def test_other_types_get_a_polite_answer(msg_type: str, sqlite_url: str, tmp_path: Path,
                                               fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        reply = await client.send("oUser-1", msg_type, {
            "MediaId": "m", "Title": "t", "Url": "http://example.invalid/",
            "MsgId": client.next_msg_id()})
        assert reply is not None
        assert UNSUPPORTED in reply


@pytest.mark.parametrize(("event", "key", "expected"), [
    pytest.param("subscribe", None, "您好！这里是在线消费纠纷解决", id="subscribe"),
    pytest.param("subscribe", "qrscene_123", "您好！这里是在线消费纠纷解决", id="subscribe-scan"),
    pytest.param("CLICK", "complain", "请问您要投诉哪个商家", id="click-complain"),
    pytest.param("CLICK", "status", "您还没有提交过投诉", id="click-status"),
    pytest.param("CLICK", "help", "查询", id="click-help"),
    pytest.param("VIEW", "https://example.invalid/odr", None, id="view"),
    pytest.param("SCAN", "123", None, id="scan"),
    pytest.param("CLICK", "no-such-key", None, id="click-unknown"),
])
async def test_events(event: str, key: str | None, expected: str | None, sqlite_url: str,
                      tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        reply = await bot.client().event("oUser-1", event, key)
        if expected is None:
            assert reply is None
        else:
            assert reply is not None
            assert expected in reply
        assert await count(bot.parts, inbound_receipts) == 1  # deduped like any message


async def test_unsubscribe_marks_the_user_unreachable_without_a_reply(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.event("oUser-1", "subscribe")
        assert await client.event("oUser-1", "unsubscribe") is None
        async with bot.parts.db.unit_of_work() as uow:
            reachable = (await uow.connection.execute(
                select(identities.c.reachable).where(identities.c.external_id == "oUser-1"))
            ).scalar_one()
        assert reachable is False
        await client.event("oUser-1", "subscribe")  # coming back makes them reachable
        async with bot.parts.db.unit_of_work() as uow:
            reachable = (await uow.connection.execute(
                select(identities.c.reachable).where(identities.c.external_id == "oUser-1"))
            ).scalar_one()
        assert reachable is True


async def test_system_events_are_acknowledged_and_not_recorded(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        assert await client.send("oUser-1", "event", {
            "Event": "TEMPLATESENDJOBFINISH", "MsgID": 1, "Status": "success"}) is None
        assert await client.event("oUser-1", "LOCATION") is None
        assert await count(bot.parts, inbound_receipts) == 0
        assert await count(bot.parts, identities) == 0
