"""SQLite's WAL moved into the database file from a worker thread, not by a turn.

By default the connection whose commit crosses 1,000 WAL pages runs the checkpoint itself:
on the event loop (statements run inline, ``storage/inline_sqlite.py``), with the fsyncs
of ``synchronous=NORMAL``: a stall of 10–25 ms every few hundred turns, which is what the
99th percentile of reply latency shows. The server instead checkpoints every second from a
thread (``PASSIVE``: it never waits for, nor blocks, readers and writers), and the writers'
own threshold is raised so that they checkpoint only if this fell far behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

log = logging.getLogger(__name__)
WRITER_THRESHOLD_PAGES = 20_000
"""``wal_autocheckpoint`` of the serving connections (80 MB of WAL): a safety net only."""


class WalCheckpointer:
    def __init__(self, path: str, every_seconds: float = 1.0) -> None:
        self._path = path
        self._every = every_seconds
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = threading.Lock()
        """Checkpoint and close run in worker threads: when the server stops, the task is
        cancelled while a checkpoint may still run in its thread, and closing the
        connection under it crashed the process (a segfault in sqlite3)."""

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self._every)
                try:
                    await asyncio.to_thread(self.checkpoint)
                except sqlite3.Error as exc:  # e.g. busy: the next round catches up
                    log.warning("WAL checkpoint skipped: %s", exc)
        finally:
            await asyncio.to_thread(self._close)

    def checkpoint(self) -> tuple[int, int, int]:
        """(busy, WAL pages, pages moved) as SQLite reports them."""
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the checkpointer is closed")
            if self._conn is None:
                self._conn = sqlite3.connect(self._path, check_same_thread=False,
                                             isolation_level=None, timeout=0.05)
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(row[0]), int(row[1]), int(row[2])

    def _close(self) -> None:
        """After any checkpoint still running (the lock), and for good."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
