"""The ODR clock with a fake clock: reminders once, overdue at the deadline, extension,
offer reminders, catch-up after downtime, and two schedulers sharing one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Components
from bot.scheduler import Scheduler
from bot.services.staff_admin import invite_staff
from storage.engine import create_engine
from storage.uow import Database
from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

RICH = "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款"


class World:
    def __init__(self, parts: Components, clock: FakeClock) -> None:
        self.parts, self.clock = parts, clock
        self.consumer = Chat(parts, clock, user="consumer")
        self.clerk = Chat(parts, clock, user="clerk")
        self.reference = ""

    async def file(self) -> str:
        async with self.parts.db.unit_of_work() as uow:
            code = (await invite_staff(uow, "as-xinhui", "agent", self.clock())).code
            await uow.commit()
        await self.clerk.say(f"绑定 {code}")
        for answer in (RICH, "1", "王芳 13912345678", "鞍山市铁东区", "1"):
            await self.consumer.say(answer)
        [done] = await self.consumer.say("1")
        self.reference = done.split("编号：")[1][:16]
        return self.reference

    async def pushed(self, user: str) -> list[str]:
        """Everything sent to ``user`` that was not a reply to their own messages."""
        async with self.parts.db.unit_of_work() as uow:
            rows = await uow.outbox.feed("web", user, 0)
        return [r.payload["text"] for r in rows if r.payload.get("reply_to") is None]

    async def timers(self) -> list[tuple[str, str]]:
        async with self.parts.db.unit_of_work() as uow:
            case = await uow.cases.by_reference(self.reference)
            assert case is not None
            return [(kind, state) for kind, _due, state in await uow.timers.of_case(case.id)]

    async def status(self) -> str:
        async with self.parts.db.unit_of_work() as uow:
            case = await uow.cases.by_reference(self.reference)
        assert case is not None
        return case.status.value


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock()  # Monday 2026-11-23 10:00 China; deadline Monday 2026-12-07
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        yield World(parts, clock)


def _at(clock: FakeClock, iso: str) -> None:
    from datetime import datetime

    clock.current = datetime.fromisoformat(iso)


async def test_new_case_plans_its_timers(world: World) -> None:
    await world.file()
    assert await world.timers() == [("staff_half", "pending"), ("staff_day_before", "pending"),
                                    ("deadline", "pending")]


async def test_reminders_fire_once_and_the_deadline_makes_it_overdue(world: World) -> None:
    await world.file()
    sweep = world.parts.scheduler.sweep
    _at(world.clock, "2026-11-30T18:00:00+08:00")  # past half time (17:00)
    assert await sweep() == 1
    assert await sweep() == 0
    _at(world.clock, "2026-12-04T09:30:00+08:00")  # the last working day before Monday
    assert await sweep() == 1
    reminders = [t for t in await world.pushed("clerk") if "提醒" in t]
    assert len(reminders) == 2
    assert "已过半" in reminders[0]
    assert "只剩最后一个工作日" in reminders[1]
    _at(world.clock, "2026-12-08T00:00:01+08:00")
    assert await sweep() == 1
    assert await world.status() == "overdue"
    overdue = (await world.pushed("consumer"))[-1]
    assert "未在处理期限（2026-12-07）内" in overdue
    assert f"转投诉 {world.reference}" in overdue
    assert "已超过处理期限" in (await world.pushed("clerk"))[-1]


async def test_consumer_may_wait_longer_then_it_is_overdue_again(world: World) -> None:
    ref = await world.file()
    _at(world.clock, "2026-12-08T09:00:00+08:00")
    await world.parts.scheduler.sweep()
    [reply] = await world.consumer.say("继续等待 3")
    assert f"{ref} 继续等待，新的处理期限：2026-12-11" in reply
    assert await world.status() == "negotiating"
    _at(world.clock, "2026-12-12T00:00:01+08:00")
    await world.parts.scheduler.sweep()
    assert await world.status() == "overdue"
    [closed] = await world.consumer.say(f"结束 {ref}")
    assert "已结束" in closed
    assert await world.status() == "closed"


async def test_no_reminder_for_a_case_closed_meanwhile(world: World) -> None:
    ref = await world.file()
    await world.consumer.say(f"撤回 {ref}")
    _at(world.clock, "2026-12-09T00:00:00+08:00")
    assert await world.parts.scheduler.sweep() == 0
    assert not [t for t in await world.pushed("clerk") if "提醒" in t or "超过" in t]
    assert {state for _kind, state in await world.timers()} == {"cancelled"}


async def test_after_a_long_downtime_each_timer_fires_once(world: World) -> None:
    await world.file()
    world.clock.advance(days=40)  # the server was down past every timer
    assert await world.parts.scheduler.sweep() == 1  # the overdue transition only
    assert await world.parts.scheduler.sweep() == 0
    assert await world.status() == "overdue"
    assert not [t for t in await world.pushed("clerk") if "提醒" in t]
    assert sorted(await world.timers()) == [("deadline", "fired"), ("staff_day_before",
                                            "cancelled"), ("staff_half", "cancelled")]


async def test_unanswered_offer_is_reminded_after_two_and_five_days(world: World) -> None:
    ref = await world.file()
    await world.clerk.say(f"方案 {ref} 全额退款")
    world.clock.advance(days=2, minutes=1)
    assert await world.parts.scheduler.sweep() == 1
    assert "仍在等待您的答复：全额退款" in (await world.pushed("consumer"))[-1]
    await world.consumer.say("接受")
    world.clock.advance(days=4)
    assert await world.parts.scheduler.sweep() == 0  # answered: the 5-day reminder is void


async def test_two_schedulers_on_postgres_send_each_reminder_once(postgres_url: str,
                                                                 tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_app(app_config(postgres_url, tmp_path), clock) as (_app, parts):
        world = World(parts, clock)
        await world.file()
        other = Database(create_engine(postgres_url))
        try:
            second = Scheduler(other, parts.scheduler._timing, clock)  # another worker
            clock.advance(days=11)  # half time and the last working day are both due
            fired = await asyncio.gather(parts.scheduler.sweep(), second.sweep())
        finally:
            await other.dispose()
        assert sum(fired) == 2
        reminders = [t for t in await world.pushed("clerk") if "提醒" in t]
        assert len(reminders) == 2


