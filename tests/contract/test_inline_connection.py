"""SQLite inline: one connection is kept between units of work (they run one after
another on the loop), but never one that still holds a transaction or was invalidated."""

from __future__ import annotations

from sqlalchemy import text

from storage.inline_sqlite import InlineEngine
from storage.uow import Database


def _driver(uow: object) -> object:
    return uow.connection.sync_connection.connection.driver_connection  # type: ignore[attr-defined]


async def test_units_of_work_in_turn_share_one_connection(sqlite_db: Database) -> None:
    assert isinstance(sqlite_db.engine, InlineEngine)
    async with sqlite_db.unit_of_work() as first:
        one = _driver(first)
        await first.kv.put("k", "1", None)
        await first.commit()
    async with sqlite_db.unit_of_work() as second:  # rolled back (no commit): still clean
        assert _driver(second) is one
    async with sqlite_db.unit_of_work() as third:
        assert _driver(third) is one
        assert (await third.connection.execute(text("select value from kv"))).scalar() == "1"


async def test_a_connection_still_in_a_transaction_is_not_kept(sqlite_db: Database) -> None:
    engine = sqlite_db.engine
    assert isinstance(engine, InlineEngine)
    conn = engine.checkout()
    conn.begin()
    conn.execute(text("insert into kv(key, value) values ('half', 'done')"))
    engine.checkin(conn)  # a bug left it open: closed (rolled back), not handed on
    assert conn.closed
    again = engine.checkout()
    assert again is not conn
    assert again.execute(text("select count(*) from kv")).scalar() == 0
    engine.checkin(again)


async def test_an_invalidated_connection_is_replaced(sqlite_db: Database) -> None:
    engine = sqlite_db.engine
    assert isinstance(engine, InlineEngine)
    conn = engine.checkout()
    engine.checkin(conn)
    conn.invalidate()  # e.g. the database file went away under it
    fresh = engine.checkout()
    assert fresh is not conn and not fresh.invalidated
    assert fresh.execute(text("select 1")).scalar() == 1
    engine.checkin(fresh)
