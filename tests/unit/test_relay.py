"""The outbox relay: order, retries with backoff, dead letters, exactly-once after success."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from bot.config import RelayConfig
from bot.core.messages import Channel, OutboundMessage
from bot.core.ports import SendResult
from bot.relay import OutboxRelay
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database
from tests.support.clock import FakeClock


class FakeSender:
    """A channel that records what it was given and answers from a script."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.script: list[SendResult] = []
        self.calls = 0

    async def send(self, message: OutboundMessage) -> SendResult:
        self.calls += 1
        result = self.script.pop(0) if self.script else SendResult(ok=True)
        if result.ok:
            self.sent.append((message.recipient, message.text))
        return result


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(sqlite_url))
    await upgrade(database.engine)
    yield database
    await database.dispose()


def _relay(db: Database, sender: FakeSender, clock: FakeClock, attempts: int = 3) -> OutboxRelay:
    config = RelayConfig(max_attempts=attempts, base_delay_seconds=1.0, max_delay_seconds=60.0)
    return OutboxRelay(db, {Channel.TELEGRAM: sender}, clock, config, random.Random(7))


async def _enqueue(db: Database, clock: FakeClock, *items: tuple[str, str]) -> list[int]:
    async with db.unit_of_work() as uow:
        ids = [await uow.outbox.add("telegram", who, {"text": text}, clock()) for who, text in items]
        await uow.commit()
    return ids


async def _statuses(db: Database) -> dict[str, int]:
    async with db.unit_of_work() as uow:
        return await uow.outbox.count_by_status()


async def test_delivers_each_recipients_messages_in_order(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    await _enqueue(db, clock, ("a", "1"), ("b", "x"), ("a", "2"), ("a", "3"))
    await _relay(db, sender, clock).sweep()
    assert [t for who, t in sender.sent if who == "a"] == ["1", "2", "3"]
    assert await _statuses(db) == {"sent": 4}


async def test_failed_head_holds_back_that_recipient_only(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="502 bad gateway")]
    await _enqueue(db, clock, ("a", "1"), ("a", "2"), ("b", "x"))
    relay = _relay(db, sender, clock)
    wait = await relay.sweep()
    assert ("a", "2") not in sender.sent
    assert ("b", "x") in sender.sent
    assert 0.5 <= wait <= 1.0  # the first backoff: jittered within [base/2, base]
    clock.advance(seconds=wait)
    await relay.sweep()
    assert [t for who, t in sender.sent if who == "a"] == ["1", "2"]


async def test_retry_after_from_the_platform_is_honoured(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="429", retry_after=17.0)]
    await _enqueue(db, clock, ("a", "1"))
    relay = _relay(db, sender, clock)
    assert await relay.sweep() == pytest.approx(17.0)
    clock.advance(seconds=16)
    await relay.sweep()
    assert sender.sent == []
    clock.advance(seconds=1)
    await relay.sweep()
    assert sender.sent == [("a", "1")]


async def test_dead_letter_after_max_attempts_keeps_the_reason(db: Database,
                                                              clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error=f"500 try {n}") for n in range(3)]
    [row_id] = await _enqueue(db, clock, ("a", "1"))
    relay = _relay(db, sender, clock, attempts=3)
    for _ in range(3):
        clock.advance(seconds=await relay.sweep())
    assert sender.calls == 3
    assert sender.sent == []
    assert await _statuses(db) == {"dead": 1}
    async with db.unit_of_work() as uow:
        from sqlalchemy import select

        from storage.tables import outbox
        row = (await uow.connection.execute(select(outbox).where(outbox.c.id == row_id))
               ).mappings().one()
    assert row["last_error"] == "500 try 2"
    assert row["attempts"] == 3


async def test_permanent_failure_dead_letters_at_once(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="403 blocked", permanent=True)]
    await _enqueue(db, clock, ("a", "1"))
    await _relay(db, sender, clock).sweep()
    assert await _statuses(db) == {"dead": 1}


async def test_sent_rows_are_never_sent_again(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    await _enqueue(db, clock, ("a", "1"))
    relay = _relay(db, sender, clock)
    await relay.sweep()
    clock.advance(hours=1)
    await relay.sweep()
    await _relay(db, sender, clock).sweep()  # a second relay (another worker) finds nothing
    assert sender.calls == 1


async def test_wakes_on_commit_without_waiting_for_the_idle_poll(db: Database,
                                                                 clock: FakeClock) -> None:
    sender = FakeSender()
    relay = _relay(db, sender, clock)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.05)  # the relay is now idle (its poll interval is 30 s)
        await _enqueue(db, clock, ("a", "now"))
        relay.wake()
        for _ in range(200):
            if sender.sent:
                break
            await asyncio.sleep(0.01)
        assert sender.sent == [("a", "now")]
    finally:
        relay.stop()
        await task


async def test_new_rows_behind_a_waiting_head_do_not_spin(db: Database,
                                                          clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="429", retry_after=20.0)]
    await _enqueue(db, clock, ("a", "1"))
    relay = _relay(db, sender, clock)
    await relay.sweep()
    await _enqueue(db, clock, ("a", "2"))  # due now, but behind the waiting head
    assert await relay.sweep() == pytest.approx(20.0)
    assert sender.calls == 1


async def test_a_stuck_recipient_does_not_starve_others(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="window closed", hold=True)]
    await _enqueue(db, clock, *[("stuck", str(n)) for n in range(5)], ("other", "hello"))
    config = RelayConfig(max_attempts=3, batch_size=2)
    relay = OutboxRelay(db, {Channel.TELEGRAM: sender}, clock, config, random.Random(1))
    await relay.sweep()
    assert sender.sent == [("other", "hello")]


async def test_every_outcome_is_reported_for_the_metrics(db: Database, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="45015 window closed", hold=True),
                     SendResult(ok=False, error="403 blocked", permanent=True)]
    seen: list[tuple[str, bool, str, str]] = []
    await _enqueue(db, clock, ("a", "1"), ("b", "2"), ("c", "3"))
    relay = OutboxRelay(db, {Channel.TELEGRAM: sender}, clock, RelayConfig(),
                        random.Random(1), on_result=lambda *r: seen.append(r))
    await relay.sweep()
    assert sorted((outcome, ok) for _ch, ok, outcome, _e in seen) == [
        ("dead", False), ("hold", False), ("ok", True)]


async def test_unreachable_staff_chat_falls_back_to_their_other_chats(db: Database,
                                                                      clock: FakeClock) -> None:
    from bot.services.fallback import reroute
    from storage.people import EnterpriseRow

    async with db.unit_of_work() as uow:
        await uow.enterprises.upsert(EnterpriseRow("e", "店", (), None, "", "", ()), clock())
        staff = await uow.staff.create("e", "小李", "agent", clock())
        for channel, external in (("telegram", "42"), ("web", "desk")):
            ident = await uow.identities.get_or_create(channel, external, clock(), None)
            await uow.staff.bind(ident.id, staff, clock())
        await uow.identities.get_or_create("telegram", "77", clock(), None)  # a consumer
        await uow.commit()
    sender = FakeSender()
    sender.script = [SendResult(ok=False, error="403 bot was blocked", permanent=True),
                     SendResult(ok=False, error="403 bot was blocked", permanent=True)]
    await _enqueue(db, clock, ("42", "【新投诉】"), ("77", "您好"))
    relay = OutboxRelay(db, {Channel.TELEGRAM: sender}, clock, RelayConfig(),
                        random.Random(1), fallback=reroute)
    await relay.sweep()
    async with db.unit_of_work() as uow:
        copies = await uow.outbox.feed("web", "desk", 0)
        stats = await uow.outbox.count_by_status()
    assert [c.payload["text"] for c in copies] == ["【新投诉】"]  # the staff member's web chat
    assert stats == {"dead": 2, "sent": 1}  # the consumer had no other chat: dead, reason kept
