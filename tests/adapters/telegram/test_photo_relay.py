"""Photos during the negotiation travel as photos over Telegram: after the text notice,
``sendPhoto`` uploads the stored file (multipart) with the case reference as caption.
A clerk's photo reaches the consumer on the active case (处理 <编号>) or as a reply to a
relayed message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.services.staff_admin import invite_staff
from tests.adapters.telegram.fake_api import BOT_ID, BOT_USERNAME, Call
from tests.adapters.telegram.support import Client, TelegramWorld, telegram_world

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"receipt" * 40


async def negotiating(world: TelegramWorld, consumer: Client, clerk: Client) -> str:
    """A filed case accepted by a clerk bound on Telegram; its reference."""
    await bind(world, clerk)
    for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1", "1"):
        await world.deliver(consumer.message(answer))
    filed = world.api.sent(str(consumer.chat_id))[-1].text
    ref = filed.split("编号：")[1][:16]
    await world.deliver(clerk.message(f"受理 {ref}"))
    return ref


async def bind(world: TelegramWorld, clerk: Client) -> None:
    async with world.parts.db.unit_of_work() as uow:
        code = (await invite_staff(uow, "as-xinhui", "agent", world.clock())).code
        await uow.commit()
    await world.deliver(clerk.message(f"/start bind_{code}"))


def photos_to(world: TelegramWorld, client: Client) -> list[Call]:
    return world.api.sent(str(client.chat_id), method="sendPhoto")


def photo_reply(client: Client, file_id: str, size: int, to_message: int) -> dict[str, Any]:
    """A photo sent as a reply to one of the bot's messages."""
    update = client.photo(file_id, size)
    update["message"]["reply_to_message"] = {
        "message_id": to_message, "date": 1_700_000_000,
        "chat": {"id": client.chat_id, "type": "private", "first_name": "王芳"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "ODR", "username": BOT_USERNAME},
        "text": "…"}
    return update


async def test_a_consumer_photo_reaches_the_clerk_with_the_reference(
        database_url: str, tmp_path: Path) -> None:
    async with telegram_world(database_url, tmp_path) as world:
        consumer, clerk = Client(user_id=910_001), Client(user_id=910_002)
        ref = await negotiating(world, consumer, clerk)
        world.api.add_file("ph-1", PNG)
        await world.deliver(consumer.photo("ph-1", len(PNG)))
        assert "已转达给「鞍山鑫汇购物广场有限公司」" in world.api.sent(str(consumer.chat_id))[-1].text
        assert world.api.sent(str(clerk.chat_id))[-1].text == f"【{ref} 消费者】发来一张照片。"
        [picture] = photos_to(world, clerk)
        name, data = picture.files["photo"]
        assert data == PNG
        assert name.endswith(".png")
        assert ref in picture.params["caption"]
        # the notice went first: its sendMessage precedes the sendPhoto
        calls = [c.method for c in world.api.calls if c.chat_id == str(clerk.chat_id)]
        assert calls[-2:] == ["sendMessage", "sendPhoto"]


async def test_a_caption_travels_with_the_consumer_photo(sqlite_url: str,
                                                        tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        consumer, clerk = Client(user_id=910_001), Client(user_id=910_002)
        ref = await negotiating(world, consumer, clerk)
        world.api.add_file("ph-1", PNG)
        update = consumer.photo("ph-1", len(PNG))
        update["message"]["caption"] = "这是发票"
        await world.deliver(update)
        assert f"【{ref} 消费者】这是发票" in world.api.sent(str(clerk.chat_id))[-1].text
        assert photos_to(world, clerk)[0].files["photo"][1] == PNG


async def test_a_clerk_photo_on_the_active_case_reaches_the_consumer(
        sqlite_url: str, tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        consumer, clerk = Client(user_id=910_001), Client(user_id=910_002)
        ref = await negotiating(world, consumer, clerk)
        await world.deliver(clerk.message(f"处理 {ref}"))
        world.api.add_file("receipt", JPEG, "photos/file_2.jpg")
        await world.deliver(clerk.photo("receipt", len(JPEG)))
        assert f"已发送给消费者（{ref}）" in world.api.sent(str(clerk.chat_id))[-1].text
        assert "「鞍山鑫汇购物广场有限公司」发来一张照片" in world.api.sent(str(consumer.chat_id))[-1].text
        [picture] = photos_to(world, consumer)
        assert picture.files["photo"][1] == JPEG
        assert ref in picture.params["caption"]


async def test_a_clerk_photo_replying_to_a_relayed_message_goes_to_its_case(
        sqlite_url: str, tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        consumer, clerk = Client(user_id=910_001), Client(user_id=910_002)
        ref = await negotiating(world, consumer, clerk)
        colleague = Client(user_id=910_003)  # never handled the case: no active case
        await bind(world, colleague)
        await world.deliver(consumer.message("请问什么时候能退款？"))
        relayed = world.api.sent(str(colleague.chat_id))[-1]
        assert "请问什么时候能退款" in relayed.text
        world.api.add_file("receipt", JPEG, "photos/file_2.jpg")
        await world.deliver(photo_reply(colleague, "receipt", len(JPEG), relayed.result_id))
        assert f"已发送给消费者（{ref}）" in world.api.sent(str(colleague.chat_id))[-1].text
        [picture] = photos_to(world, consumer)
        assert picture.files["photo"][1] == JPEG
        assert ref in picture.params["caption"]


async def test_a_staff_photo_without_a_case_is_not_relayed(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        clerk = Client(user_id=910_002)
        await bind(world, clerk)
        world.api.add_file("receipt", JPEG, "photos/file_2.jpg")
        await world.deliver(clerk.photo("receipt", len(JPEG)))
        assert "处理" in world.api.sent(str(clerk.chat_id))[-1].text
        assert world.api.called("sendPhoto") == []
