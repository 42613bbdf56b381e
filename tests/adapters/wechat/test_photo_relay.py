"""Photos during the negotiation travel as photos over WeChat: the stored file is uploaded
as temporary media (multipart ``media``) and sent as an image customer-service message,
after the text notice; a failed upload is retried, a closed window holds the photo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import Components
from bot.services.staff_admin import invite_staff
from storage.tables import outbox
from tests.adapters.wechat.client import WechatClient
from tests.adapters.wechat.conftest import Bot, wechat_bot
from tests.adapters.wechat.fake_api import PNG, FakeWechatApi
from tests.adapters.wechat.support import drained

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"
CONSUMER, CLERK = "oConsumer-1", "oClerk-1"
RECEIPT = b"\xff\xd8\xff\xe0" + b"receipt" * 40


async def negotiating(bot: Bot, client: WechatClient) -> str:
    """A filed case accepted by a clerk bound on WeChat; its reference."""
    async with bot.parts.db.unit_of_work() as uow:
        code = (await invite_staff(uow, "as-xinhui", "agent", bot.clock())).code
        await uow.commit()
    assert "绑定成功" in (await client.say(CLERK, f"绑定 {code}") or "")
    for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1"):
        await client.say(CONSUMER, answer)
    filed = await client.say(CONSUMER, "1") or ""
    ref = filed.split("编号：")[1][:16]
    await client.say(CLERK, f"受理 {ref}")
    await drained(bot.parts)
    return ref


async def rows_to(parts: Components, openid: str) -> list[dict[str, Any]]:
    """The outbox rows addressed to ``openid`` (kind, status, attempts, last error)."""
    async with parts.db.unit_of_work() as uow:
        rows = (await uow.connection.execute(
            select(outbox).where(outbox.c.recipient == openid).order_by(outbox.c.id)
        )).mappings().all()
    return [{"kind": r["payload"].get("kind"), "status": r["status"],
             "attempts": r["attempts"], "error": r["last_error"] or ""} for r in rows]


async def photo(client: WechatClient, openid: str, media_id: str) -> str | None:
    return await client.send(openid, "image", {"PicUrl": "http://mmbiz.example/x",
                                               "MediaId": media_id,
                                               "MsgId": client.next_msg_id()})


async def test_a_consumer_photo_reaches_the_clerk_as_an_image(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        ref = await negotiating(bot, client)
        answer = await photo(client, CONSUMER, "img-1")
        assert "已转达给「鞍山鑫汇购物广场有限公司」" in (answer or "")
        await drained(bot.parts)
        assert f"【{ref} 消费者】发来一张照片。" in fake_wechat.texts_to(CLERK)[-1]
        assert fake_wechat.images_to(CLERK) == [PNG]
        [upload] = fake_wechat.uploads
        assert (upload.kind, upload.content_type) == ("image", "image/png")
        assert upload.filename.endswith(".png")
        # the notice first, then the image: a client that cannot show it still knows
        to_clerk = [s.body["msgtype"] for s in fake_wechat.of("custom/send")
                    if s.touser == CLERK]
        assert to_clerk[-2:] == ["text", "image"]


async def test_a_clerk_photo_on_the_active_case_reaches_the_consumer(
        database_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(database_url, tmp_path, fake_wechat) as bot:
        client = bot.client("safe")
        ref = await negotiating(bot, client)
        fake_wechat.media["img-receipt"] = RECEIPT
        assert f"当前处理：{ref}" in (await client.say(CLERK, f"处理 {ref}") or "")
        answer = await photo(client, CLERK, "img-receipt")
        assert f"已发送给消费者（{ref}）" in (answer or "")
        await drained(bot.parts)
        assert "「鞍山鑫汇购物广场有限公司」发来一张照片" in fake_wechat.texts_to(CONSUMER)[-1]
        assert fake_wechat.images_to(CONSUMER) == [RECEIPT]
        assert fake_wechat.uploads[-1].content_type == "image/jpeg"


async def test_a_failed_upload_is_retried_and_sent_once(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await negotiating(bot, client)
        fake_wechat.fail("/cgi-bin/media/upload", -1)  # 系统繁忙: worth another try
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == []
        [waiting] = [r for r in await rows_to(bot.parts, CLERK) if r["kind"] == "photo"]
        assert (waiting["status"], waiting["attempts"]) == ("pending", 1)
        assert "WeChat -1" in waiting["error"]
        bot.clock.advance(minutes=10)  # past the backoff
        bot.parts.relay.wake()
        await fake_wechat.wait_for("custom/send", len(fake_wechat.of("custom/send")) + 1)
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == [PNG]
        assert len(fake_wechat.uploads) == 1


async def test_a_photo_waits_for_a_closed_window_and_follows_the_passive_reply(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        ref = await negotiating(bot, client)
        bot.clock.advance(hours=49)  # the clerk has not written for 48 hours
        client.clock += 49 * 3600
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == []  # held, not lost, not failed
        held = [r["kind"] for r in await rows_to(bot.parts, CLERK) if r["status"] == "pending"]
        assert held == [None, "photo"]
        # The clerk writes again: the notice rides in the passive reply, the API sends
        # the image (a text reply cannot carry it).
        reply = await client.say(CLERK, "列表") or ""
        assert f"【{ref} 消费者】发来一张照片。" in reply
        await fake_wechat.wait_for("custom/send", 1)
        await drained(bot.parts)
        assert fake_wechat.images_to(CLERK) == [PNG]
        assert [r["status"] for r in await rows_to(bot.parts, CLERK)
                if r["kind"] == "photo"] == ["sent"]


async def test_a_photo_erased_while_held_is_dead_lettered_after_its_notice(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await negotiating(bot, client)
        bot.clock.advance(hours=49)
        client.clock += 49 * 3600
        await photo(client, CONSUMER, "img-1")
        await drained(bot.parts)
        for stored in (tmp_path / "media").rglob("*.png"):  # erased (retention rule)
            stored.unlink()
        reply = await client.say(CLERK, "列表") or ""
        assert "发来一张照片" in reply
        for _ in range(3):
            await drained(bot.parts)
        assert fake_wechat.uploads == []
        [dead] = [r for r in await rows_to(bot.parts, CLERK) if r["kind"] == "photo"]
        assert dead["status"] == "dead"
        assert "photo not sendable" in dead["error"]
