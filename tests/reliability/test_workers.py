"""``[server] workers = 2`` on PostgreSQL: two processes answer on one port, and a worker
that dies is started again (turns of one conversation on two workers: the advisory lock,
tests/contract/test_runner.py)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from tests.support.server_process import ServerProcess, free_port

pytestmark = pytest.mark.postgres


async def _pids(url: str, tries: int = 40) -> set[int]:
    """The workers that answer fresh connections (the kernel spreads them)."""
    seen = set()
    for _ in range(tries):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:
            async with s.get(url + "/readyz") as response:
                if response.status == 200:
                    seen.add(int((await response.json())["pid"]))
    return seen


async def _workers_until(url: str, done: Callable[[set[int]], bool]) -> set[int]:
    """Polls (a worker may still be warming up); at most a minute."""
    for _ in range(300):
        pids = await _pids(url)
        if done(pids):
            return pids
        await asyncio.sleep(0.2)
    raise AssertionError(f"workers never settled: {pids}")


async def test_two_workers_share_the_port_and_one_that_dies_comes_back(
        postgres_url: str, tmp_path: Path) -> None:
    port = free_port()
    server = ServerProcess({
        "ODRBOT_SERVER_PORT": str(port), "ODRBOT_SERVER_WORKERS": "2",
        "ODRBOT_DATABASE_URL": postgres_url, "ODRBOT_MEDIA_DIR": str(tmp_path / "media"),
        "ODRBOT_LOG_LEVEL": "INFO"}, tmp_path / "server.log")
    await server.start()
    try:
        first = await _workers_until(server.url, lambda pids: len(pids) == 2)
        os.kill(sorted(first)[0], signal.SIGKILL)
        again = await _workers_until(server.url, lambda pids: len(pids) == 2 and pids != first)
        assert len(again & first) == 1, server.log_tail()  # one survivor, one newcomer
        assert "exited with -9; starting it again" in server.log_tail(20000)
    finally:
        await server.stop()
