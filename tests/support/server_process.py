"""The real server as a child process (``python -m bot serve``), killed and restarted at will.

Crash tests need a process that can die with SIGKILL in the middle of a request, as a
power cut or the OOM killer would do it: nothing runs at exit, no connection is closed
politely. Configuration goes through the documented ``ODRBOT_<SECTION>_<KEY>`` variables.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
"""Generous: a start applies migrations and warms the NLP models (seconds on 2 cores)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The test's own environment without any ODRBOT_ setting of the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODRBOT_")}
    env.update(settings)
    return env


async def run_cli(settings: Mapping[str, str], *args: str) -> str:
    """``odrbot ARGS`` against the same configuration; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=REPO, env=child_env(settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    if process.returncode != 0:
        raise AssertionError(f"odrbot {' '.join(args)} exited {process.returncode}:\n"
                             f"{err.decode(errors='replace')[-2000:]}")
    return out.decode()


class ServerProcess:
    """``odrbot serve`` on a loopback port; its log goes to ``log_path`` (appended)."""

    def __init__(self, settings: Mapping[str, str], log_path: Path) -> None:
        self.port = int(settings["ODRBOT_SERVER_PORT"])
        self.settings = dict(settings)
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        assert not self.running, "already running"
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "serve", cwd=REPO, env=child_env(self.settings),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        self.starts += 1
        await self._wait_ready()

    async def _wait_ready(self) -> None:
        """Until /readyz answers 200; the listening socket opens only after start-up."""
        async with aiohttp.ClientSession() as http, asyncio.timeout(START_TIMEOUT):
            while True:
                if not self.running:
                    raise AssertionError(f"the server exited at start:\n{self.log_tail()}")
                try:
                    async with http.get(self.url + "/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, open requests are cut."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> None:
        """SIGTERM (a graceful stop), SIGKILL if it does not end in time."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=20.0)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"
