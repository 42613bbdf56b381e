"""The unit of work: one connection, one transaction, every repository bound to it.

It rolls back unless :meth:`commit` was called (cosmicpython): an exception anywhere in
a turn leaves the database as it was, and the platform's retry finds nothing half-done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import cached_property
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from storage.cases import CaseRepository
from storage.complaints import ComplaintRepository
from storage.engine import is_sqlite
from storage.messaging import (
    ConversationRepository,
    KeyValueRepository,
    OutboxRepository,
    ReceiptRepository,
)
from storage.operators import OperatorRepository
from storage.people import ConsumerRepository, EnterpriseRepository, IdentityRepository
from storage.regulator import RegulatorStats
from storage.staff import StaffRepository
from storage.timers import TimerRepository


class UnitOfWork:
    def __init__(self, engine: AsyncEngine, writer_lock: asyncio.Lock | None,
                 on_pull: Callable[[str, str], None] | None = None) -> None:
        self._engine = engine
        self._on_pull = on_pull
        self._writer_lock = writer_lock
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None
        self._committed = False
        self._holding = False

    # The repositories, made on first use: a turn uses a few of them.
    @cached_property
    def complaints(self) -> ComplaintRepository:
        return ComplaintRepository(self.connection)

    @cached_property
    def cases(self) -> CaseRepository:
        return CaseRepository(self.connection)

    @cached_property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.connection)

    @cached_property
    def receipts(self) -> ReceiptRepository:
        return ReceiptRepository(self.connection)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.connection)

    @cached_property
    def kv(self) -> KeyValueRepository:
        return KeyValueRepository(self.connection)

    @cached_property
    def identities(self) -> IdentityRepository:
        return IdentityRepository(self.connection)

    @cached_property
    def consumers(self) -> ConsumerRepository:
        return ConsumerRepository(self.connection)

    @cached_property
    def enterprises(self) -> EnterpriseRepository:
        return EnterpriseRepository(self.connection)

    @cached_property
    def staff(self) -> StaffRepository:
        return StaffRepository(self.connection)

    @cached_property
    def timers(self) -> TimerRepository:
        return TimerRepository(self.connection)

    @cached_property
    def operators(self) -> OperatorRepository:
        return OperatorRepository(self.connection)

    @cached_property
    def regulator(self) -> RegulatorStats:
        return RegulatorStats(self.connection)

    @property
    def connection(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work not entered"
        return self._conn

    async def __aenter__(self) -> UnitOfWork:
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
            self._holding = True
        try:
            self._conn = await self._engine.connect()
            self._tx = await self._conn.begin()
        except BaseException:
            await self._release()
            raise
        return self

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        self._committed = True
        if self._on_pull is not None and "outbox" in self.__dict__:
            for channel, recipient in self.outbox.pulled:
                self._on_pull(channel, recipient)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None and not self._committed:
                await self._tx.rollback()
        finally:
            await self._release()

    async def _release(self) -> None:
        try:
            if self._conn is not None:
                await self._conn.close()
        finally:
            self._conn = None
            if self._writer_lock is not None and self._holding:
                self._holding = False
                self._writer_lock.release()


class Database:
    """The engine plus the factory for units of work.

    SQLite has one writer at a time; in this process we queue writers on an asyncio lock
    instead of letting them collide on SQLITE_BUSY.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite(str(engine.url))
        self._writer_lock = asyncio.Lock() if self.sqlite else None
        self.on_pull: Callable[[str, str], None] | None = None
        """Told (channel, recipient) after a commit that added a pull-channel message."""

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self._writer_lock, self.on_pull)

    async def dispose(self) -> None:
        await self.engine.dispose()
