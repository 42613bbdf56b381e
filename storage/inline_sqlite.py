"""SQLite run inline on the event loop: an async face over a synchronous connection.

Why: aiosqlite hands every statement to a worker thread and back; under load that hop
(plus the GIL contention between the two threads) costs hundreds of microseconds per
statement, while the statement itself takes about a microsecond. A turn issues a dozen
statements, so the hop, not SQLite, was the ceiling. Run inline, each statement blocks the
loop for microseconds (WAL, synchronous=NORMAL: a commit does not fsync), and turns that
write are already serialized by the in-process writer lock.

It offers exactly what this project uses of ``AsyncEngine`` / ``AsyncConnection``:
``connect()`` (awaitable and ``async with``), ``begin()``, ``execute``, ``run_sync``,
``commit``/``rollback``/``close``, ``dialect``, ``url``, ``sync_engine``, ``dispose``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine, Transaction
from sqlalchemy.exc import OperationalError

# Waiting for another writer must not block the loop (the writer may be another unit of
# work on this very loop): SQLite's own busy wait is kept short, the rest is async.
WRITE_LOCK_PATIENCE = 10.0

T = TypeVar("T")


class InlineTransaction:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def commit(self) -> None:
        self._tx.commit()

    async def rollback(self) -> None:
        self._tx.rollback()


class InlineConnection:
    def __init__(self, conn: Connection, release: Callable[[Connection], None]) -> None:
        self._conn = conn
        self._release = release
        self.dialect = conn.dialect
        self.sync_connection = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.execute(statement, parameters)

    async def begin(self) -> InlineTransaction:
        return InlineTransaction(await begin_patiently(self._conn))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._release(self._conn)

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self._conn, *args, **kwargs)

    async def __aenter__(self) -> InlineConnection:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._release(self._conn)


class _Connecting:
    """``await engine.connect()`` and ``async with engine.connect() as conn`` alike."""

    def __init__(self, engine: InlineEngine) -> None:
        self._engine = engine
        self._conn: InlineConnection | None = None

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        yield from ()
        return InlineConnection(self._engine.checkout(), self._engine.checkin)

    async def __aenter__(self) -> InlineConnection:
        self._conn = InlineConnection(self._engine.checkout(), self._engine.checkin)
        return self._conn

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._conn is not None
        await self._conn.close()


class _Beginning:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._tx: Transaction | None = None

    async def __aenter__(self) -> InlineConnection:
        self._conn = self._engine.connect()
        self._tx = await begin_patiently(self._conn)
        return InlineConnection(self._conn, _closed_by_the_block)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if exc_type is None:
                self._tx.commit()
            else:
                self._tx.rollback()
        finally:
            self._conn.close()


def _closed_by_the_block(conn: Connection) -> None:
    """``engine.begin()`` commits or rolls back, then closes, when its block ends."""


class InlineEngine:
    def __init__(self, engine: Engine) -> None:
        self.sync_engine = engine
        self.url = engine.url
        self.dialect = engine.dialect
        self._idle: Connection | None = None
        """One connection kept between units of work: they run one after another on the
        loop, and checking a connection out of the pool and back in (with its events and
        reset) cost more than a small transaction itself."""

    def checkout(self) -> Connection:
        conn, self._idle = self._idle, None
        if conn is None or conn.closed or conn.invalidated:
            conn = self.sync_engine.connect()
        return conn

    def checkin(self, conn: Connection) -> None:
        """Keep a clean connection for the next unit of work; close any other (it goes
        back to the pool, which resets it)."""
        clean = (not conn.closed and not conn.invalidated and not conn.in_transaction()
                 and not _driver_in_transaction(conn))
        if clean and self._idle is None:
            self._idle = conn
        else:
            conn.close()

    def connect(self) -> _Connecting:
        return _Connecting(self)

    def begin(self) -> _Beginning:
        return _Beginning(self.sync_engine)

    async def dispose(self) -> None:
        idle, self._idle = self._idle, None
        if idle is not None:
            idle.close()
        self.sync_engine.dispose()


def _driver_in_transaction(conn: Connection) -> bool:
    driver = conn.connection.driver_connection
    return bool(getattr(driver, "in_transaction", False))


async def begin_patiently(conn: Connection) -> Transaction:
    """BEGIN (IMMEDIATE, see storage/engine.py), retried asynchronously while another
    connection holds the write lock."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + WRITE_LOCK_PATIENCE
    delay = 0.001
    while True:
        try:
            return conn.begin()
        except (OperationalError, sqlite3.OperationalError) as exc:
            if "locked" not in str(exc) or loop.time() > give_up:
                raise
            conn.rollback()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
