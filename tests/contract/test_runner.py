"""The direct SQLite path (storage/runner.py) agrees with SQLAlchemy's own: what one
writes the other reads back unchanged, errors are SQLAlchemy's, and statements it cannot
run directly (expanding IN) still run; and the conversation lock that serializes turns
across workers on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from storage.engine import create_engine
from storage.messaging import _ADD_OUTBOX, _ADD_RECEIPT, _REPLIES
from storage.migrate import upgrade
from storage.runner import AlchemyRunner, SqliteRunner, runner_for
from storage.tables import outbox
from storage.uow import Database

NOW = datetime(2026, 11, 23, 2, 0, 0, 123456, tzinfo=UTC)
PAYLOAD = {"text": "您好，\"引号\" 与 emoji 🙂", "choices": [{"key": "1", "label": "是"}], "n": 1.5}



def _row(n: int) -> dict[str, object]:
    return {"p_channel": "wechat", "p_recipient": f"o{n}", "p_payload": PAYLOAD,
            "p_status": "pending", "p_next_at": NOW + timedelta(seconds=n), "p_now": NOW,
            "p_sent_at": None}


_ROW = select(outbox.c.payload, outbox.c.next_attempt_at, outbox.c.created_at,
              outbox.c.sent_at, outbox.c.attempts).where(outbox.c.id == bindparam("p_id"))


async def test_both_paths_write_and_read_the_same_values(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work() as uow:
        direct, usual = runner_for(uow.connection), AlchemyRunner(uow.connection)
        assert isinstance(direct, SqliteRunner)
        [(a,)] = await direct.rows(_ADD_OUTBOX, _row(1))
        [(b,)] = await usual.rows(_ADD_OUTBOX, _row(1))
        read = [await runner.rows(_ROW, {"p_id": row_id})
                for runner in (direct, usual) for row_id in (a, b)]
        assert all(r == read[0] for r in read)
        [(payload, next_at, created, sent, attempts)] = read[0]
        assert payload == PAYLOAD
        assert next_at == NOW + timedelta(seconds=1) and next_at.tzinfo is not None
        assert created == NOW and sent is None and attempts == 0


async def test_a_duplicate_raises_sqlalchemys_integrity_error(sqlite_db: Database) -> None:
    receipt = {"p_channel": "wechat", "p_message_id": "m1", "p_replies": [PAYLOAD], "p_now": NOW}
    async with sqlite_db.unit_of_work() as uow:
        direct = runner_for(uow.connection)
        assert await direct.run(_ADD_RECEIPT, receipt) == 1
        with pytest.raises(IntegrityError):
            await direct.run(_ADD_RECEIPT, receipt)
        assert await direct.rows(_REPLIES, {"p_channel": "wechat", "p_message_id": "m1"}) \
            == [([PAYLOAD],)]


async def test_expanding_parameters_take_the_usual_path(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work() as uow:
        direct = runner_for(uow.connection)
        ids = [(await direct.rows(_ADD_OUTBOX, _row(n)))[0][0] for n in range(3)]
        among = select(outbox.c.id).where(outbox.c.id.in_(bindparam("p_ids", expanding=True)))
        assert await direct.rows(among, {"p_ids": ids[:2]}) == [(ids[0],), (ids[1],)]


async def test_rolled_back_with_the_unit_of_work(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work() as uow:
        await runner_for(uow.connection).rows(_ADD_OUTBOX, _row(1))  # no commit
    async with sqlite_db.unit_of_work() as uow:
        assert await runner_for(uow.connection).rows(select(outbox.c.id), {}) == []


async def test_a_conversation_is_held_against_other_workers(postgres_url: str) -> None:
    """Two workers on PostgreSQL: the second turn of one conversation waits for the first
    to commit; another conversation does not wait."""
    database = Database(create_engine(postgres_url))
    await upgrade(database.engine)
    try:
        async with database.unit_of_work() as first:
            await first.conversations.lock("wechat:oA")

            async def second(key: str) -> None:
                async with database.unit_of_work() as uow:
                    await uow.conversations.lock(key)

            await asyncio.wait_for(second("wechat:oB"), 5)  # another conversation: free
            waiting = asyncio.ensure_future(second("wechat:oA"))
            done, _ = await asyncio.wait([waiting], timeout=0.3)
            assert not done  # held by the first worker's transaction
            await first.commit()
        await asyncio.wait_for(waiting, 5)
    finally:
        await database.dispose()


async def test_the_passive_take_reads_only_pending_rows(sqlite_db: Database) -> None:
    """A busy clerk's history must not be walked on each message: the take goes through
    the partial index of pending rows (a bound 'pending' parameter would silently lose it)."""
    from storage.messaging import _TAKE_UPTO_SINGLE_WRITER
    from storage.runner import _compile

    async with sqlite_db.unit_of_work() as uow:
        compiled = _compile(_TAKE_UPTO_SINGLE_WRITER, uow.connection.dialect)
        assert compiled is not None
        raw = uow.connection.sync_connection.connection.driver_connection  # type: ignore[attr-defined]
        plan = " ".join(str(row[3]) for row in raw.execute(
            "EXPLAIN QUERY PLAN " + compiled.sql, [None] * len(compiled.names)))
    assert "ix_outbox_pending" in plan, plan


async def test_column_defaults_are_filled_in_as_sqlalchemy_would(sqlite_db: Database) -> None:
    """A statement that leaves out a column with a scalar default (outbox.attempts = 0)
    writes the default on the direct path too; a callable default (enterprises.aliases =
    list) takes the usual path, which calls it."""
    from sqlalchemy import insert

    from storage.tables import enterprises

    partial = insert(outbox).values(
        channel="wechat", recipient="oD", payload=bindparam("p_payload"), status="pending",
        next_attempt_at=bindparam("p_now"), created_at=bindparam("p_now")
    ).returning(outbox.c.attempts)
    callable_default = insert(enterprises).values(
        id=bindparam("p_id"), name="某店", created_at=bindparam("p_now")
    ).returning(enterprises.c.aliases, enterprises.c.categories, enterprises.c.enrolled)
    async with sqlite_db.unit_of_work() as uow:
        direct = runner_for(uow.connection)
        assert await direct.rows(partial, {"p_payload": PAYLOAD, "p_now": NOW}) == [(0,)]
        assert await direct.rows(callable_default, {"p_id": "e1", "p_now": NOW}) \
            == [([], [], True)]



async def test_a_missing_parameter_is_refused_like_sqlalchemy_does(sqlite_db: Database) -> None:
    from sqlalchemy.exc import StatementError

    row = _row(1)
    del row["p_recipient"]
    async with sqlite_db.unit_of_work() as uow:
        for runner in (runner_for(uow.connection), AlchemyRunner(uow.connection)):
            with pytest.raises(StatementError, match="p_recipient"):
                await runner.rows(_ADD_OUTBOX, row)


async def test_none_is_written_as_sqlalchemy_writes_it(sqlite_db: Database) -> None:
    """JSON's None is JSON null on both paths (not SQL NULL), a nullable column's None
    is NULL on both."""
    from sqlalchemy import func, insert

    from storage.tables import kv

    put = insert(kv).values(key=bindparam("p_key"), value=bindparam("p_value"),
                            expires_at=bindparam("p_expires"))
    json_null = select(func.count()).select_from(outbox).where(
        outbox.c.payload.is_not(None), outbox.c.sent_at.is_(None))
    async with sqlite_db.unit_of_work() as uow:
        direct, usual = runner_for(uow.connection), AlchemyRunner(uow.connection)
        for n, runner in enumerate((direct, usual)):
            await runner.rows(_ADD_OUTBOX, {**_row(n), "p_payload": None})
            await runner.run(put, {"p_key": f"k{n}", "p_value": "v", "p_expires": None})
        assert await usual.rows(json_null, {}) == [(2,)]
        assert await usual.rows(select(func.count()).where(kv.c.expires_at.is_(None)), {}) \
            == [(2,)]
