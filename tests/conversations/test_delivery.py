"""Delivery guarantees of a turn: one effect per platform message id, arrival order per
user, nothing lost on odd input, and failures answered politely."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.core.messages import Channel, InboundMessage
from bot.core.ports import PassiveAnswer
from storage.tables import case_messages, complaints, inbound_receipts, outbox
from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


async def _count(parts: object, table: object) -> int:
    async with parts.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        return int((await uow.connection.execute(
            select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_same_message_id_twice_has_one_effect(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1"):
            await chat.say(answer)
        consent = chat.message("1")
        first = await parts.dispatcher(consent)
        again = await parts.dispatcher(consent)  # the platform retried the same delivery
        assert not first.duplicate
        assert again.duplicate
        assert again.replies == first.replies
        assert again.outbox_ids == first.outbox_ids
        assert await _count(parts, complaints) == 1


async def test_concurrent_messages_of_one_user_run_in_arrival_order(sqlite_url: str,
                                                                   tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        messages = [chat.message(t) for t in ("我要投诉", "鑫汇", "洗衣机", "不脱水，没法用了")]
        outcomes = await asyncio.gather(*(parts.dispatcher(m) for m in messages))
        last = outcomes[-1].replies[-1].text
        assert "请问是哪天购买的" in last  # each answer landed on the question before it
        state = await chat.state()
        assert state["draft"]["product"] == "洗衣机"  # type: ignore[index]


async def test_concurrent_users_do_not_mix(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        alice, bob = Chat(parts, clock, user="alice"), Chat(parts, clock, user="bob")
        await asyncio.gather(alice.say("我要投诉"), bob.say("我要投诉"))
        await asyncio.gather(alice.say("鑫汇"), bob.say("万象城"))
        assert (await alice.state())["draft"]["enterprise_id"] == "as-xinhui"  # type: ignore[index]
        assert (await bob.state())["draft"]["enterprise_id"] == "as-wanxiang"  # type: ignore[index]


async def test_huge_message_gets_a_polite_answer_and_nothing_breaks(sqlite_url: str,
                                                                    tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        [reply] = await chat.say("投诉" * 5000)
        assert "消息太长了（10000 字）" in reply
        assert "请问您要投诉哪个商家" in (await chat.say("我要投诉"))[-1]


async def test_control_characters_are_dropped(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        replies = await chat.say("\x00我要\x1b投诉\x07")
        assert "请问您要投诉哪个商家" in replies[-1]


async def test_every_reply_is_an_outbox_row_and_a_receipt(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        replies = await chat.say("我要投诉")
        assert await _count(parts, outbox) == len(replies) == 2
        assert await _count(parts, inbound_receipts) == 1


async def test_platform_language_sets_the_welcome(sqlite_url: str, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        from bot.core.messages import MessageKind

        hello = InboundMessage(Channel.TELEGRAM, "u9", "1", "", clock(), kind=MessageKind.EVENT,
                               event="subscribe", language="en-GB")
        outcome = await parts.dispatcher(hello)
        assert outcome.replies[0].text.startswith("Hello!")


async def test_a_photo_during_the_negotiation_reaches_the_enterprise(sqlite_url: str,
                                                                     tmp_path: Path) -> None:
    from bot.core.messages import MediaRef, MessageKind

    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1"):
            await chat.say(answer)
        photo = chat.message("", kind=MessageKind.IMAGE,
                             media=MediaRef(str(tmp_path / "a.jpg"), "ab" * 32))
        [reply] = [r.text for r in (await parts.dispatcher(photo)).replies]
        assert "已转达给「鞍山鑫汇购物广场有限公司」" in reply
        async with parts.db.unit_of_work() as uow:
            rows = (await uow.connection.execute(select(case_messages))).mappings().all()
        assert [(r["sender_role"], r["media_path"]) for r in rows] == [
            ("consumer", str(tmp_path / "a.jpg"))]


async def test_a_photo_from_staff_reaches_the_consumer(sqlite_url: str, tmp_path: Path) -> None:
    from bot.core.messages import MediaRef, MessageKind
    from bot.services.staff_admin import invite_staff

    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        consumer, clerk = Chat(parts, clock), Chat(parts, clock, user="clerk")
        async with parts.db.unit_of_work() as uow:
            code = (await invite_staff(uow, "as-xinhui", "agent", clock())).code
            await uow.commit()
        await clerk.say(f"绑定 {code}")
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1"):
            await consumer.say(answer)
        ref = (await consumer.say("1"))[0].split("编号：")[1][:16]
        await clerk.say(f"受理 {ref}")
        photo = clerk.message("", kind=MessageKind.IMAGE,
                              media=MediaRef(str(tmp_path / "receipt.jpg"), "cd" * 32))
        [reply] = [r.text for r in (await parts.dispatcher(photo)).replies]
        assert f"已发送给消费者（{ref}）" in reply
        async with parts.db.unit_of_work() as uow:
            pushed = await uow.outbox.feed("web", "consumer-1", 0)
        notice, picture = pushed[-2].payload, pushed[-1].payload
        assert "「鞍山鑫汇购物广场有限公司」发来一张照片" in notice["text"]
        assert picture["kind"] == "photo"  # the file itself follows its notice, by path
        assert picture["media"]["path"] == str(tmp_path / "receipt.jpg")


async def test_pushed_notices_follow_the_language_the_person_chats_in(sqlite_url: str,
                                                                      tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock)
        english = chat.message("hello there")
        await parts.dispatcher(english)
        async with parts.db.unit_of_work() as uow:
            identity = await uow.identities.get("web", chat.user)
        assert identity is not None and identity.language == "en"
        await chat.say("你好")
        async with parts.db.unit_of_work() as uow:
            identity = await uow.identities.get("web", chat.user)
        assert identity is not None and identity.language == "zh"


def _all(items: object, current: object) -> int:
    return len(items)  # type: ignore[arg-type]


async def _statuses(parts: object) -> list[tuple[str, str]]:
    async with parts.db.unit_of_work() as uow:  # type: ignore[attr-defined]
        rows = await uow.connection.execute(
            select(outbox.c.recipient, outbox.c.status).order_by(outbox.c.id))
        return [(str(r[0]), str(r[1])) for r in rows]


async def test_a_passive_answer_takes_its_replies_in_the_turns_own_commit(
        database_url: str, tmp_path: Path) -> None:
    """WeChat answers the HTTP request with the replies: the turn marks them sent in the
    commit that creates them, together with older rows still waiting for the user."""
    clock = FakeClock()
    async with running_app(app_config(database_url, tmp_path), clock) as (_app, parts):
        chat = Chat(parts, clock, user="oPassive", channel=Channel.WECHAT)
        late = chat.message("你好")
        held = await parts.dispatcher(late, hold_replies_seconds=6.0)  # answer not given
        assert held.carried is None
        assert await _statuses(parts) == [("oPassive", "pending")] * len(held.outbox_ids)
        answer = PassiveAnswer(_all, asyncio.get_running_loop().time() + 4.0)
        outcome = await parts.dispatcher(chat.message("帮助"), passive=answer)
        assert outcome.carried is not None
        assert [i.id for i in outcome.carried] == [*held.outbox_ids, *outcome.outbox_ids]
        assert {status for _, status in await _statuses(parts)} == {"sent"}
        again = await parts.dispatcher(chat.message("帮助"), passive=PassiveAnswer(
            _all, asyncio.get_running_loop().time() - 1.0))  # the answer's time is up
        assert again.carried is None
        assert (await _statuses(parts))[-1] == ("oPassive", "pending")
