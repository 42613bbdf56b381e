"""Turns per second through the real dispatcher (web channel, SQLite, one process).

    .venv/bin/python -m bench.turns_bench [--turns 2000] [--users 500]

Half the messages are 查询 (a status query: reads complaints), half 你好 (free text: intent
detection); all users talk at once (asyncio.gather), each user's turns in order."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.core.messages import Channel, InboundMessage
from tests.support.app import app_config, running_app
from tests.support.clock import FakeClock


async def main(turns: int, users: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    clock = FakeClock()
    config = app_config(f"sqlite+aiosqlite:///{tmp / 'turns.sqlite3'}", tmp)
    async with running_app(config, clock) as (_app, parts):
        messages = [InboundMessage(Channel.WEB, f"u{i % users}", f"m{i}",
                                   "查询" if i % 2 else "你好", clock()) for i in range(turns)]
        started = time.perf_counter()
        await asyncio.gather(*(parts.dispatcher(m) for m in messages))
        took = time.perf_counter() - started
    print(f"{turns} turns from {users} users: {turns / took:.0f} turns/s")  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.users))
