"""The per-conversation lock (DESIGN §3): one user's turns in order, other users not held
up, and nothing kept for a user once their turns are done (issue 8: 10,000 users)."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.locks import KeyedLock


async def holding(locks: KeyedLock, key: str) -> tuple[asyncio.Task[None], asyncio.Event]:
    """A turn that holds ``key`` until the returned event is set."""
    held, release = asyncio.Event(), asyncio.Event()

    async def turn() -> None:
        async with locks.hold(key):
            held.set()
            await release.wait()

    task = asyncio.create_task(turn())
    await held.wait()
    return task, release


async def test_one_users_turns_run_one_at_a_time_in_arrival_order() -> None:
    locks = KeyedLock()
    log: list[str] = []

    async def turn(name: str) -> None:
        async with locks.hold("wechat:u1"):
            log.append(f"{name} in")
            await asyncio.sleep(0)
            log.append(f"{name} out")

    await asyncio.gather(*(turn(n) for n in ("a", "b", "c")))
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out"]


async def test_another_user_is_not_held_up() -> None:
    locks = KeyedLock()
    first, release = await holding(locks, "wechat:u1")
    async with asyncio.timeout(5), locks.hold("wechat:u2"):
        assert len(locks) == 2
    release.set()
    await first


async def test_nothing_is_kept_once_every_users_turns_are_done() -> None:
    locks = KeyedLock()

    async def turn(user: int) -> None:
        async with locks.hold(f"wechat:u{user}"):
            await asyncio.sleep(0)

    await asyncio.gather(*(turn(n % 1000) for n in range(3000)))
    assert len(locks) == 0


async def test_a_waiter_cancelled_in_the_queue_leaves_nothing_behind() -> None:
    locks = KeyedLock()
    first, release = await holding(locks, "wechat:u1")

    async def waiter() -> None:
        async with locks.hold("wechat:u1"):
            pytest.fail("a cancelled waiter must not run")

    queued = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    release.set()
    await first
    assert len(locks) == 0
