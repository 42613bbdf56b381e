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
