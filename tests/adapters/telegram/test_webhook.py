"""``POST /telegram`` against the real application and a fake Bot API on loopback."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

from sqlalchemy import func, select

from storage.tables import inbound_receipts
from tests.adapters.telegram.fake_api import BOT_USERNAME, FILE_TOO_BIG
from tests.adapters.telegram.support import Client, TelegramWorld, telegram_world


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


async def _receipts(world: TelegramWorld) -> int:
    async with world.parts.db.unit_of_work() as uow:
        return int((await uow.connection.execute(
            select(func.count()).select_from(inbound_receipts))).scalar_one())


async def test_start_up_registers_the_command_menu_in_both_languages(sqlite_url: str,
                                                                     tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        assert world.api.called("getMe")
        menus = world.api.called("setMyCommands")
        assert [m.params.get("language_code") for m in menus] == [None, "en"]
        zh = {c["command"]: c["description"] for c in menus[0].params["commands"]}
        en = {c["command"]: c["description"] for c in menus[1].params["commands"]}
        assert set(zh) == set(en) == {"start", "complain", "status", "cancel", "help"}
        assert zh["complain"] == "我要投诉"
        assert en["complain"] == "File a complaint"
        assert not world.api.called("deleteWebhook")  # webhook mode leaves the webhook


async def test_wrong_or_missing_secret_is_refused_and_nothing_recorded(
        sqlite_url: str, tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        update = Client().message("投诉")
        assert await world.post(update, secret=None) == 401
        assert await world.post(update, secret="wrong") == 401
        assert await world.post(update, secret="s3cret-Token_for-test") == 401  # a prefix
        assert await world.post(b"{bad", secret=None) == 401  # secret is checked first
        await world.settle()
        assert await _receipts(world) == 0
        assert world.api.sent() == []


async def test_bad_bodies_get_4xx_and_nothing_is_recorded(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        assert await world.post(b"{not json") == 400
        assert await world.post("中文".encode("gbk")) == 400
        for body in (["a list"], {"hello": 1}, {"update_id": "7"}, {"update_id": True},
                     {"update_id": 5, "message": "text"},
                     {"update_id": 6, "message": {"message_id": 1}}):
            assert await world.post(body) == 400, body
        huge = json.dumps(user.message("x" * (2 * 1024 * 1024))).encode()
        assert await world.post(io.BytesIO(huge)) == 413
        await world.settle()
        assert await _receipts(world) == 0
        assert world.api.sent() == []


async def test_a_redelivered_update_acts_once(sqlite_url: str, tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        update = user.message("我要投诉")
        assert await world.post(update) == 200
        assert await world.post(update) == 200  # Telegram retries when it saw no answer
        await world.settle()
        texts = [c.text for c in world.api.sent(str(user.chat_id))]
        assert len(texts) == 2
        assert "好的，我来帮您投诉" in texts[0]
        assert await _receipts(world) == 1


async def test_kinds_we_do_not_handle_are_ignored_politely(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        group = Client(user_id=5151, chat_id=-100200300)
        sticker = {"file_id": "st", "file_unique_id": "stu", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "type": "regular"}
        ignored = [
            {"update_id": 1, "poll": {"id": "p", "question": "?", "options": [],
                                      "total_voter_count": 0, "is_closed": False,
                                      "is_anonymous": True, "type": "regular",
                                      "allows_multiple_answers": False,
                                      "allows_revoting": False, "members_only": False}},
            {"update_id": 3, "my_chat_member": {  # the bot was added to a group
                "chat": {"id": -100200300, "type": "supergroup", "title": "门店群"},
                "from": {"id": 5151, "is_bot": False, "first_name": "A"},
                "date": 1_700_000_000,
                "old_chat_member": {"user": {"id": 777000, "is_bot": True, "first_name": "O"},
                                    "status": "left"},
                "new_chat_member": {"user": {"id": 777000, "is_bot": True, "first_name": "O"},
                                    "status": "member"}}},
            {"update_id": 2, "channel_post": {"message_id": 1, "date": 1_700_000_000,
                                              "chat": {"id": -1009, "type": "channel"},
                                              "text": "news"}},
            group.message(None, new_chat_members=[{"id": 9, "is_bot": False,
                                                   "first_name": "新"}]),
            group.message(None, sticker=sticker),
            group.message("大家好"),  # a group message that does not address the bot
        ]
        for update in ignored:
            assert await world.post(update) == 200, update
        assert await world.post(user.message(None, sticker=sticker)) == 200
        await world.settle()
        assert world.api.sent(str(group.chat_id)) == []
        [polite] = world.api.sent(str(user.chat_id))
        assert "暂时只能处理文字和照片" in polite.text
        assert await _receipts(world) == 1


async def test_in_groups_the_bot_answers_only_when_addressed(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        group = Client(user_id=5151, chat_id=-100200300)
        chat = str(group.chat_id)
        await world.post(group.message("帮助一下"))
        await world.post(group.message(f"@{BOT_USERNAME} 帮助", entities=[
            {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]))
        command = f"/help@{BOT_USERNAME}"
        await world.post(group.message(command, entities=[
            {"type": "bot_command", "offset": 0, "length": len(command)}]))
        await world.post(group.message("/help@other_bot", entities=[
            {"type": "bot_command", "offset": 0, "length": 15}]))
        await world.post(group.reply_to("帮助", message_id=9))
        await world.settle()
        answers = world.api.sent(chat)
        assert len(answers) == 3  # mention, /help@us, reply to us
        assert all("可用指令" in a.text for a in answers)


async def test_an_edit_changes_nothing_and_is_explained_once(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        first = user.message("我要投诉")
        await world.post(first)
        await world.settle()
        before = len(world.api.sent())
        assert await world.post(user.edit(first, "我要查询")) == 200
        assert await world.post(user.edit(first, "我要查询进度")) == 200
        await world.settle()
        notes = world.api.sent()[before:]
        assert len(notes) == 1
        assert "修改不会生效" in notes[0].text


async def test_english_users_get_english(sqlite_url: str, tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client(lang="en-GB")
        await world.post(user.message("/start"))
        await world.settle()
        [welcome] = world.api.sent()
        assert welcome.text.startswith("Hello!")


async def test_choices_are_buttons_and_a_tap_answers_once(sqlite_url: str,
                                                          tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        chat = str(user.chat_id)
        for text in ("我要投诉", "鸿运超市"):
            await world.post(user.message(text))
        await world.settle()
        question = world.api.sent(chat)[-1]
        assert "您说的是下面哪一家" in question.text
        assert question.buttons[:2] == [("1. 鞍山鸿运连锁超市有限公司（辽宁省鞍山市立山区）", "1"),
                                        ("2. 张掖鸿运连锁超市有限公司（甘肃省张掖市甘州区）", "2")]
        before = len(world.api.sent(chat))
        assert await world.post(user.tap(question, "2")) == 200
        assert await world.post(user.tap(question, "1")) == 200  # a double tap
        await world.settle()
        after = world.api.sent(chat)[before:]
        assert len(after) == 1
        assert "请问您购买的是什么商品或服务" in after[0].text
        assert len(world.api.called("answerCallbackQuery")) == 2  # both spinners stopped
        [edit] = world.api.called("editMessageText")
        assert edit.params["message_id"] == str(question.result_id)
        assert edit.text.endswith("✔ 2. 张掖鸿运连锁超市有限公司（甘肃省张掖市甘州区）")
        assert "reply_markup" not in edit.params  # the keyboard is gone


async def test_photos_become_evidence_and_big_files_are_explained(sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path) as world:
        user = Client()
        chat = str(user.chat_id)
        await world.post(user.message("我要投诉"))
        world.api.add_file("ph1", _png())
        assert await world.post(user.photo("ph1", size=len(_png()))) == 200
        await world.settle()
        assert "已收到证据照片（共 1 张）" in world.api.sent(chat)[2].text
        assert len(list((tmp_path / "media" / "telegram").rglob("*.png"))) == 1
        before = len(world.api.sent(chat))
        assert await world.post(user.document("huge", size=25 * 1024 * 1024)) == 200
        world.api.fail("getFile", FILE_TOO_BIG)
        world.api.add_file("big", b"")
        assert await world.post(user.photo("big", size=0)) == 200
        await world.settle()
        notes = world.api.sent(chat)[before:]
        assert [n.text.startswith("文件超过 20 MB") for n in notes] == [True, True]
        assert [c.params["file_id"] for c in world.api.called("getFile")] == ["ph1", "big"]
