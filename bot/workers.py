"""``odrbot serve`` with ``[server] workers`` > 1: several processes on one port.

Each worker is a whole server (web chat, inbox, webhooks, relay, ODR clock) bound with
``SO_REUSEPORT``, so the kernel spreads connections over them. They share nothing but the
PostgreSQL database, which is what makes them safe together: a turn holds its
conversation with an advisory lock, the relay leases rows, the clock claims timers with
``SKIP LOCKED``, the WeChat token is refreshed under a lock. The parent migrates the
database once, starts the workers, restarts one that dies, and stops them all on SIGTERM
or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import time
from multiprocessing.process import BaseProcess
from types import FrameType

from bot import logmask
from bot.config import Config

log = logging.getLogger(__name__)
RESTART_PAUSE_SECONDS = 1.0
"""A worker that dies is started again after this pause (so a crash loop stays slow)."""
STOP_SECONDS = 10.0


def serve_workers(config: Config) -> int:
    from storage.migrate import migrated_database

    async def migrate() -> None:
        async with migrated_database(config.database.url):
            pass

    asyncio.run(migrate())  # once, before any worker starts
    context = multiprocessing.get_context("spawn")
    workers: dict[int, BaseProcess] = {}
    stopping = False

    def start(index: int) -> None:
        process = context.Process(target=run_worker, args=(config, index),
                                  name=f"odrbot-worker-{index}")
        process.start()
        workers[index] = process
        log.info("worker %d started (pid %s)", index, process.pid)

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for index in range(config.server.workers):
            start(index)
        while not stopping:
            time.sleep(0.2)
            for index, process in list(workers.items()):
                if not process.is_alive() and not stopping:
                    log.error("worker %d exited with %s; starting it again", index,
                              process.exitcode)
                    time.sleep(RESTART_PAUSE_SECONDS)
                    start(index)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_all(list(workers.values()))
    return 0


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: aiohttp shuts down gracefully
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def run_worker(config: Config, index: int) -> None:
    """One worker process (the target of ``multiprocessing``)."""
    from aiohttp import web

    from bot.app import build_app

    logmask.install(config.log.level)
    log.info("worker %d serving on %s:%d", index, config.server.host, config.server.port)
    web.run_app(build_app(config, migrate=False), host=config.server.host,
                port=config.server.port, reuse_port=True, print=None, access_log=None,
                shutdown_timeout=5.0)
