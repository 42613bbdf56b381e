"""The Telegram sender behind the real outbox relay: budgets, 429, 403, long messages.

Time is a fake clock moved only by the rate limiter's sleeps; the fake Bot API stamps
every call with it, so the budgets are checked on recorded timestamps, never wall time.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.telegram.client import BotClient, make_client
from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.render import units
from bot.adapters.telegram.sender import TelegramSender
from bot.config import RelayConfig
from bot.core.media import store_image
from bot.core.messages import Channel, Choice, MediaRef, OutboundMessage
from bot.core.outbound import payload_of
from bot.relay import OutboxRelay
from bot.services.telegram_store import SqlTelegramStore
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.telegram_tables import telegram_sent
from storage.uow import Database
from tests.adapters.telegram.fake_api import BLOCKED, TOKEN, TOO_LONG, FakeBotApi, too_many
from tests.adapters.telegram.support import FakeTimer
from tests.support.clock import FakeClock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Rig:
    db: Database
    api: FakeBotApi
    timer: FakeTimer
    clock: FakeClock
    sender: TelegramSender
    relay: OutboxRelay

    async def enqueue(self, recipient: str, text: str, **payload: object) -> int:
        async with self.db.unit_of_work() as uow:
            row = await uow.outbox.add("telegram", recipient, {"text": text, **payload},
                                       self.clock())
            await uow.commit()
        return row

    async def deliver_all(self) -> None:
        """Run the relay, moving the clock to each next due row, until nothing is pending."""
        for _ in range(100):
            wait = await self.relay.sweep()
            if not (await self.statuses()).get("pending"):
                return
            self.clock.advance(seconds=wait)
        raise AssertionError("outbox not drained")

    async def statuses(self) -> dict[str, int]:
        async with self.db.unit_of_work() as uow:
            return await uow.outbox.count_by_status()


@pytest.fixture
async def rig(sqlite_url: str) -> AsyncIterator[Rig]:
    db = Database(create_engine(sqlite_url))
    await upgrade(db.engine)
    clock = FakeClock()
    timer = FakeTimer(clock)
    api = FakeBotApi(timer)
    await api.start()
    client: BotClient = make_client(TOKEN, api.api_base)
    limiter = RateLimiter(clock=timer, sleep=timer.sleep)
    timer.settle = limiter.wait_quiet
    store = SqlTelegramStore(db, clock, lambda: None)
    sender = TelegramSender(client.bot, limiter, store, store)
    relay = OutboxRelay(db, {Channel.TELEGRAM: sender}, clock,
                        RelayConfig(max_attempts=3, max_delay_seconds=60.0), random.Random(4))
    try:
        yield Rig(db, api, timer, clock, sender, relay)
    finally:
        await client.close()
        await api.close()
        await db.dispose()


def _spans(times: list[float], count: int) -> list[float]:
    """For each run of count+1 consecutive sends, the time it spans."""
    ordered = sorted(times)
    return [ordered[i + count] - ordered[i] for i in range(len(ordered) - count)]


async def test_the_relay_never_exceeds_telegrams_budgets(rig: Rig) -> None:
    group = "-1001234"
    for n in range(4):
        await rig.enqueue("42", f"to one person {n}")
    for n in range(25):
        await rig.enqueue(group, f"to the staff group {n}")
    for n in range(70):
        await rig.enqueue(str(1000 + n), f"to many people {n}")
    await rig.deliver_all()
    assert await rig.statuses() == {"sent": 99}
    sent = rig.api.sent()
    per_chat: dict[str, list[float]] = {}
    for call in sent:
        per_chat.setdefault(call.chat_id, []).append(call.at)
    # about 1 message per second per chat
    assert all(span >= 1.0 - 1e-6 for times in per_chat.values() for span in _spans(times, 1))
    # 20 per minute per group: any 21 consecutive sends to the group span a minute
    assert min(_spans(per_chat[group], 20)) >= 60.0 - 1e-6
    # 30 per second for the whole bot
    assert min(_spans([c.at for c in sent], 30)) >= 1.0 - 1e-6
    # … and it waits no more than needed: the group's 25 went out within the second minute
    assert 60.0 <= max(per_chat[group]) < 120.0
    assert [c.text for c in rig.api.sent("42")] == [f"to one person {n}" for n in range(4)]


async def test_a_429_pauses_every_chat_and_tells_the_relay_when_to_retry(rig: Rig) -> None:
    rig.api.fail("sendMessage", too_many(7))
    first = await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", "hello"))
    assert (first.ok, first.retry_after, first.hold) == (False, 7.0, False)
    # Another chat meanwhile: not sent, handed back without counting an attempt.
    other = await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "43", "another chat"))
    assert (other.ok, other.retry_after, other.hold) == (False, 7.0, True)
    assert len(rig.api.sent()) == 1
    rig.clock.advance(seconds=7)
    assert (await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "43", "again"))).ok
    refused, delivered = rig.api.sent()
    assert delivered.at - refused.at >= 7.0
    # Through the relay: the row waits exactly retry_after, then goes.
    rig.api.fail("sendMessage", too_many(30))
    row = await rig.enqueue("44", "via the relay")
    await rig.relay.sweep()
    assert await rig.statuses() == {"pending": 1}
    async with rig.db.unit_of_work() as uow:
        [due] = await uow.outbox.due_heads(rig.clock().replace(year=2100), 10)
    assert due.id == row
    assert (due.next_attempt_at - rig.clock()).total_seconds() == 30
    rig.clock.advance(seconds=30)
    await rig.relay.sweep()
    assert await rig.statuses() == {"sent": 1}


async def test_a_blocked_bot_marks_the_user_unreachable_and_gives_up(rig: Rig) -> None:
    async with rig.db.unit_of_work() as uow:
        await uow.identities.get_or_create("telegram", "42", rig.clock(), "zh")
        await uow.commit()
    rig.api.fail("sendMessage", BLOCKED)
    await rig.enqueue("42", "您的投诉已受理")
    await rig.relay.sweep()
    assert await rig.statuses() == {"dead": 1}
    assert len(rig.api.sent()) == 1  # tried once: retrying cannot help
    async with rig.db.unit_of_work() as uow:
        identity = await uow.identities.get("telegram", "42")
    assert identity is not None
    assert identity.reachable is False


async def test_long_messages_are_split_on_lines_with_the_keyboard_last(rig: Rig) -> None:
    lines = [f"第{n}行：" + "投诉内容" * 30 for n in range(100)]
    text = "\n".join(lines)
    message = OutboundMessage(Channel.TELEGRAM, "42", text, (Choice("1", "确认"),),
                              case_ref="TS20261123000001")
    assert (await rig.sender.send(message)).ok
    parts = rig.api.sent("42")
    assert len(parts) == 4
    assert all(units(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == text  # cut only between lines
    assert [bool(p.buttons) for p in parts] == [False, False, False, True]
    async with rig.db.unit_of_work() as uow:
        rows = (await uow.connection.execute(select(telegram_sent))).mappings().all()
    assert {r["message_id"] for r in rows} == {p.result_id for p in parts}
    assert {r["case_ref"] for r in rows} == {"TS20261123000001"}


async def test_emoji_count_twice_toward_the_limit(rig: Rig) -> None:
    text = "😀" * 3000  # 3000 characters, 6000 UTF-16 units
    assert (await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", text))).ok
    parts = rig.api.sent("42")
    assert [units(p.text) for p in parts] == [4096, 1904]
    assert "".join(p.text for p in parts) == text


async def test_too_long_anyway_is_split_smaller_and_sent(rig: Rig) -> None:
    rig.api.fail("sendMessage", TOO_LONG)
    text = "\n".join(f"line {n} " + "x" * 50 for n in range(60))
    assert (await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", text))).ok
    refused, *parts = rig.api.sent("42")
    assert refused.text == text
    assert len(parts) == 2
    assert "\n".join(p.text for p in parts) == text


async def test_a_retry_after_a_partial_send_does_not_repeat_parts(rig: Rig) -> None:
    text = "\n".join(ch * 4000 for ch in "甲乙丙")  # three parts
    rig.api.fail("sendMessage", None, too_many(3))  # the first part goes, the second 429s
    await rig.enqueue("42", text)
    await rig.relay.sweep()
    assert await rig.statuses() == {"pending": 1}
    await rig.deliver_all()
    assert await rig.statuses() == {"sent": 1}
    delivered = [c.text[0] for c in rig.api.sent("42")]
    assert delivered == ["甲", "乙", "乙", "丙"]  # 乙 refused once, then sent; 甲 once


def _stored_photo(tmp_path: Path, data: bytes) -> MediaRef:
    return store_image(tmp_path / "media", "telegram", data)


def _erase(media: MediaRef) -> None:
    Path(media.path).unlink()


async def test_a_photo_row_is_uploaded_with_its_caption_and_retried_after_a_429(
        rig: Rig, tmp_path: Path) -> None:
    media = _stored_photo(tmp_path, PNG)
    photo = OutboundMessage(Channel.TELEGRAM, "42", "【TS20261123000001 消费者的照片】",
                            case_ref="TS20261123000001", media=media)
    rig.api.fail("sendPhoto", too_many(5))
    async with rig.db.unit_of_work() as uow:
        await uow.outbox.add("telegram", "42", payload_of(photo), rig.clock())
        await uow.commit()
    await rig.relay.sweep()
    assert await rig.statuses() == {"pending": 1}
    await rig.deliver_all()
    assert await rig.statuses() == {"sent": 1}
    refused, delivered = rig.api.sent("42", method="sendPhoto")
    assert delivered.at - refused.at >= 5.0
    assert delivered.files["photo"][1] == PNG
    assert delivered.params["caption"] == "【TS20261123000001 消费者的照片】"
    async with rig.db.unit_of_work() as uow:  # a reply to the photo routes to its case
        rows = (await uow.connection.execute(select(telegram_sent))).mappings().all()
    assert [(r["message_id"], r["case_ref"]) for r in rows] == [
        (delivered.result_id, "TS20261123000001")]


async def test_a_photo_to_a_user_who_blocked_the_bot_is_dead_lettered(
        rig: Rig, tmp_path: Path) -> None:
    rig.api.fail("sendPhoto", BLOCKED)
    media = _stored_photo(tmp_path, PNG)
    result = await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", "photo",
                                                   media=media))
    assert (result.ok, result.permanent) == (False, True)


async def test_a_photo_whose_file_was_erased_fails_for_good_without_a_call(
        rig: Rig, tmp_path: Path) -> None:
    media = _stored_photo(tmp_path, PNG)
    _erase(media)
    result = await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", "photo",
                                                   media=media))
    assert (result.ok, result.permanent) == (False, True)
    assert rig.api.calls == []


async def test_a_photo_over_10_mb_goes_as_a_document(rig: Rig, tmp_path: Path) -> None:
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024)
    media = _stored_photo(tmp_path, big)
    assert (await rig.sender.send(OutboundMessage(Channel.TELEGRAM, "42", "photo",
                                                  media=media))).ok
    assert rig.api.called("sendPhoto") == []
    [document] = rig.api.called("sendDocument")
    assert document.files["document"][1] == big
