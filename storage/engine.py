"""Engine creation: SQLite (embedded default, WAL) or PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool, StaticPool

from storage.checkpoint import WRITER_THRESHOLD_PAGES
from storage.inline_sqlite import InlineEngine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # The URL may name aiosqlite (the documented default); statements run inline on
        # the loop through the standard sqlite3 driver instead (storage/inline_sqlite.py).
        pool: dict[str, Any] = ({"poolclass": QueuePool, "pool_size": 8, "max_overflow": 8}
                                if database and database != ":memory:"
                                else {"poolclass": StaticPool})
        sync = sa_create_engine(parsed.set(drivername="sqlite+pysqlite"), echo=echo, **pool)
        _sqlite_pragmas(sync)
        return cast(AsyncEngine, InlineEngine(sync))
    # Fail fast when PostgreSQL is away or stuck: a quick 503 lets the platform retry,
    # where asyncpg's 60-second default would hold every request. No ping before each
    # checkout (a round trip per transaction): a connection found dead invalidates the
    # whole pool, so after a restart one request gets its 503 and the next ones reconnect.
    # The prepared-statement cache holds every statement the app uses (asyncpg's default
    # of 100 per connection made it prepare some again and again).
    if "prepared_statement_cache_size" not in parsed.query:
        parsed = parsed.update_query_dict({"prepared_statement_cache_size": "1000"})
    return create_async_engine(parsed, echo=echo, pool_size=10, max_overflow=10,
                               pool_timeout=5, connect_args={"timeout": 5, "command_timeout": 15})


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (below): pysqlite's implicit BEGIN is DEFERRED,
        # and a deferred read that later writes fails with SQLITE_BUSY under contention.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # The server checkpoints from a thread (storage/checkpoint.py); writers only if
        # that fell far behind.
        cursor.execute(f"PRAGMA wal_autocheckpoint={WRITER_THRESHOLD_PAGES}")
        # Short: a longer wait for another writer happens asynchronously (inline_sqlite).
        cursor.execute("PRAGMA busy_timeout=50")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight on the driver: this runs for every transaction (a "database is locked"
        # error is retried by storage/inline_sqlite.begin_patiently).
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")
