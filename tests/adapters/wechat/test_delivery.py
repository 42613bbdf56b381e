"""WeChat's delivery rules: three deliveries of one message have one effect, a slow turn
is answered "success" and delivered through the API, and a message that cannot be pushed
(the 48-hour window is closed) waits for the user's next message — never lost, never
sent twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Components
from bot.core.messages import Channel, OutboundMessage
from bot.core.outbound import payload_of
from storage.tables import inbound_receipts, outbox
from tests.adapters.wechat.client import message_xml
from tests.adapters.wechat.conftest import wechat_bot
from tests.adapters.wechat.fake_api import FakeWechatApi
from tests.adapters.wechat.support import count, drained

CUSTOM_SEND = "/cgi-bin/message/custom/send"


async def push(parts: Components, openid: str, text: str) -> None:
    """A message that is not a reply (a clerk's answer relayed, a reminder)."""
    message = OutboundMessage(Channel.WECHAT, openid, text)
    async with parts.db.unit_of_work() as uow:
        await uow.outbox.add("wechat", openid, payload_of(message), parts.clock())
        await uow.commit()
    parts.relay.wake()


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
async def test_three_deliveries_of_one_message_have_one_effect(
        mode: str, database_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(database_url, tmp_path, fake_wechat) as bot:
        client = bot.client(mode)
        xml = message_xml("oUser-1", "text", {"Content": "我要投诉", "MsgId": 555})
        answers = []
        for _ in range(3):  # WeChat's first delivery and its two retries
            status, body = await client.post(xml)
            assert status == 200
            answers.append(client.read_reply(body, "oUser-1"))
        assert answers[0] is not None
        assert "请问您要投诉哪个商家" in answers[0]
        assert answers[1:] == [None, None]  # "success": the reply was already given
        assert await count(bot.parts, inbound_receipts) == 1
        assert await count(bot.parts, outbox) == 2
        await drained(bot.parts)
        assert fake_wechat.of("custom/send") == []


async def test_retried_event_and_image_have_one_effect(sqlite_url: str, tmp_path: Path,
                                                      fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        subscribe = message_xml("oUser-1", "event", {"Event": "subscribe"}, 1_795_000_100)
        replies = [client.read_reply((await client.post(subscribe))[1], "oUser-1")
                   for _ in range(3)]
        assert replies[0] is not None
        assert replies[1:] == [None, None]
        image = message_xml("oUser-1", "image", {"MediaId": "img-1", "MsgId": 777})
        for _ in range(3):
            assert (await client.post(image))[0] == 200
        assert fake_wechat.media_fetches == 1  # no download for a delivery already handled
        assert await count(bot.parts, inbound_receipts) == 2


async def test_media_download_failure_asks_wechat_to_retry(sqlite_url: str, tmp_path: Path,
                                                          fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        status, _ = await client.post(
            message_xml("oUser-1", "image", {"MediaId": "broken", "MsgId": 778}))
        assert status == 503
        assert await count(bot.parts, inbound_receipts) == 0


async def test_slow_turn_answers_success_and_delivers_through_the_api(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat, reply_budget_seconds=0.05) as bot:
        client = bot.client("safe")
        xml = message_xml("oUser-1", "text", {"Content": "我要投诉", "MsgId": 901})
        async with bot.parts.db.unit_of_work():  # hold SQLite's only writer: the turn waits
            status, body = await client.post(xml)
        assert (status, body) == (200, "success")
        sent = await fake_wechat.wait_for("custom/send", 2)
        assert "好的，我来帮您投诉" in sent[0].text
        assert "请问您要投诉哪个商家" in sent[1].text
        status, body = await client.post(xml)  # a retry now finds the turn done
        assert (status, body) == (200, "success")
        await drained(bot.parts)
        assert len(fake_wechat.of("custom/send")) == 2
        assert await count(bot.parts, inbound_receipts) == 1
        fallbacks = bot.parts.metrics.registry.get_sample_value(
            "odrbot_wechat_deadline_fallbacks_total")
        assert fallbacks == 1  # /metrics shows the missed budget


async def test_a_slow_turn_that_cannot_be_kept_is_not_answered_success(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    """"success" means WeChat never delivers it again: without a durable copy (the spool
    folder cannot be written), the answer is 503 and WeChat's retry finds the turn done."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool folder should be")
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat, reply_budget_seconds=0.05,
                          spool_dir=str(blocked / "spool")) as bot:
        client = bot.client()
        xml = message_xml("oUser-1", "text", {"Content": "我要投诉", "MsgId": 902})
        async with bot.parts.db.unit_of_work():  # hold SQLite's only writer: the turn waits
            status, _ = await client.post(xml)
        assert status == 503
        status, body = await client.post(xml)  # WeChat delivers it again
        assert status == 200
        await drained(bot.parts)
        sent = [m.text for m in fake_wechat.of("custom/send")] + [body]
        assert sum("我来帮您投诉" in text for text in sent) == 1  # one answer, one effect
        assert await count(bot.parts, inbound_receipts) == 1


async def test_window_closed_by_api_then_shown_at_next_message(
        database_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(database_url, tmp_path, fake_wechat, template_id="TPL-1") as bot:
        client = bot.client()
        await client.say("oUser-1", "帮助")
        fake_wechat.fail(CUSTOM_SEND, 45015)
        await push(bot.parts, "oUser-1", "「鞍山鑫汇购物广场有限公司」：请问您方便哪天上门？")
        [notice] = await fake_wechat.wait_for("template/send", 1)
        assert notice.body["template_id"] == "TPL-1"
        assert notice.body["data"]["keyword1"]["value"].startswith("「鞍山鑫汇购物广场有限公司」")
        await drained(bot.parts)
        assert fake_wechat.texts_to("oUser-1") == []
        reply = await client.say("oUser-1", "帮助")
        assert reply is not None
        assert reply.startswith("您有 1 条新消息：\n「鞍山鑫汇购物广场有限公司」：请问您方便哪天上门？")
        assert reply.index("上门") < reply.index("查询")  # then the answer to "帮助"
        bot.clock.advance(minutes=10)  # long past the hold: the relay has nothing left
        await bot.parts.relay.sweep()
        assert fake_wechat.texts_to("oUser-1") == []
        assert await client.say("oUser-1", "帮助") is not None
        assert "新消息" not in (await client.say("oUser-1", "帮助") or "")


async def test_window_closed_by_time_holds_without_calling_the_api(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat, template_id="TPL-1") as bot:
        client = bot.client()
        await client.say("oUser-1", "帮助")
        bot.clock.advance(hours=49)
        await push(bot.parts, "oUser-1", "提醒一：企业已受理")
        await fake_wechat.wait_for("template/send", 1)
        await push(bot.parts, "oUser-1", "提醒二：企业提出了方案")
        bot.clock.advance(minutes=10)
        await bot.parts.relay.sweep()
        await drained(bot.parts)
        assert len(fake_wechat.of("template/send")) == 1  # one notice per closed window
        assert fake_wechat.of("custom/send") == []
        reply = await client.say("oUser-1", "帮助")
        assert reply is not None
        assert reply.startswith("您有 2 条新消息：")
        assert reply.index("提醒一") < reply.index("提醒二") < reply.index("查询")


async def test_held_messages_too_long_for_one_reply_go_through_the_api(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.say("oUser-1", "帮助")
        bot.clock.advance(hours=49)
        texts = [f"第{n}条：" + "很长的消息" * 60 for n in range(1, 4)]
        for text in texts:
            await push(bot.parts, "oUser-1", text)
        await drained(bot.parts)
        reply = await client.say("oUser-1", "帮助") or ""
        assert len(reply.encode()) <= 2048
        assert reply.startswith("您有 2 条新消息：")  # what fits, oldest first
        await fake_wechat.wait_for("custom/send", 2)
        await drained(bot.parts)
        by_api = [s.text for s in fake_wechat.of("custom/send")]
        assert [t for t in texts if t in reply] == texts[:2]
        assert by_api[0] == texts[2]  # the rest, in order, at once (the window is open)
        assert "可用指令" in by_api[1]
        assert "可用指令" not in reply
        assert len(by_api) == 2


async def test_unsubscribed_user_gets_nothing_until_they_come_back(
        sqlite_url: str, tmp_path: Path, fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        client = bot.client()
        await client.event("oUser-1", "subscribe")
        await client.event("oUser-1", "unsubscribe")
        await push(bot.parts, "oUser-1", "企业已受理您的投诉")
        await drained(bot.parts)
        assert fake_wechat.of("custom/send") == []
        welcome = await client.event("oUser-1", "subscribe") or ""
        assert welcome.startswith("您有 1 条新消息：\n企业已受理您的投诉")
