"""The WAL checkpoint runs from a thread, not inside a turn's commit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage.checkpoint import WRITER_THRESHOLD_PAGES, WalCheckpointer
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_writers_leave_the_checkpoint_to_the_background(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    try:
        await upgrade(db.engine)
        async with db.unit_of_work() as uow:
            raw = uow.connection.sync_connection.connection.driver_connection  # type: ignore[attr-defined]
            assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WRITER_THRESHOLD_PAGES
        for n in range(300):  # ~4.8 MB: past SQLite's default threshold of 1,000 pages
            async with db.unit_of_work() as uow:
                await uow.outbox.add("telegram", "42", {"text": "x" * 16000, "n": n}, NOW)
                await uow.commit()
        checkpointer = WalCheckpointer(str(path))
        busy, pages, moved = checkpointer.checkpoint()
        assert pages > 1000  # no writer checkpointed on its own
        assert busy == 0 and moved == pages  # all of it, from outside a turn
        async with db.unit_of_work() as uow:  # and the data is all there
            assert (await uow.outbox.count_by_status())["pending"] == 300
    finally:
        await db.dispose()


async def test_stopping_waits_for_a_checkpoint_still_running(tmp_path: Path) -> None:
    """The server stops the checkpointer by cancelling its task, possibly while a
    checkpoint runs in its thread: the connection is closed only after that checkpoint
    (closing it underneath crashed the process), and never reopened."""
    import asyncio
    import sqlite3

    import pytest

    path = tmp_path / "s.sqlite3"
    db = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    try:
        await upgrade(db.engine)
        for round_ in range(25):
            for n in range(40):  # WAL for the checkpoint to move
                async with db.unit_of_work() as uow:
                    await uow.outbox.add("telegram", "42", {"text": "x" * 16000, "n": n}, NOW)
                    await uow.commit()
            checkpointer = WalCheckpointer(str(path), every_seconds=0.0)
            task = asyncio.create_task(checkpointer.run())
            await asyncio.sleep(0.001 * (round_ % 5))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            with pytest.raises(sqlite3.ProgrammingError):
                checkpointer.checkpoint()
    finally:
        await db.dispose()
