"""The rows a passive reply takes, on both databases: never a row the relay is sending,
never a row twice, oldest first, and what does not fit goes back to the relay at once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.adapters.wechat.ports import OutboxItem
from bot.core.messages import Channel, OutboundMessage
from bot.core.outbound import payload_of
from bot.services.wechat_outbox import SqlPassiveOutbox
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from storage.uow import Database
from tests.support.clock import FakeClock


async def _database(url: str) -> Database:
    db = Database(create_engine(url))
    await upgrade(db.engine)
    return db


async def _add(db: Database, clock: FakeClock, openid: str, text: str) -> int:
    message = OutboundMessage(Channel.WECHAT, openid, text)
    async with db.unit_of_work() as uow:
        row_id = await uow.outbox.add("wechat", openid, payload_of(message), clock())
        await uow.commit()
    return row_id


async def _status(db: Database) -> dict[int, tuple[str, int]]:
    async with db.unit_of_work() as uow:
        rows = await uow.connection.execute(select(outbox.c.id, outbox.c.status,
                                                   outbox.c.attempts))
        return {int(r[0]): (str(r[1]), int(r[2])) for r in rows}


def everything(items: Sequence[object], current: object) -> int:
    return len(items)


async def test_a_row_leased_by_the_relay_is_left_to_it(database_url: str, tmp_path: Path
                                                       ) -> None:
    clock, woken = FakeClock(), []
    db = await _database(database_url)
    try:
        first = await _add(db, clock, "oA", "一")
        second = await _add(db, clock, "oA", "二")
        async with db.unit_of_work() as uow:  # the relay is sending the first one
            assert await uow.outbox.claim(first, clock(), clock() + timedelta(seconds=60))
            await uow.commit()
        passive = SqlPassiveOutbox(db, clock, lambda: woken.append(1))
        taken = await passive.take("oA", (), held=True, fit=everything)
        assert [i.id for i in taken] == [second]
        again = await passive.take("oA", (), held=True, fit=everything)
        assert again == []  # taken rows are sent: never twice
        assert await _status(db) == {first: ("pending", 0), second: ("sent", 1)}
    finally:
        await db.dispose()


async def test_rows_without_room_go_back_due_now(database_url: str, tmp_path: Path) -> None:
    clock, woken = FakeClock(), []
    db = await _database(database_url)
    try:
        ids = [await _add(db, clock, "oB", f"第{n}条") for n in range(3)]
        await _add(db, clock, "oOther", "别人的")
        passive = SqlPassiveOutbox(db, clock, lambda: woken.append(1))

        def two(items: Sequence[OutboxItem], current: Collection[int]) -> int:
            assert set(current) == {ids[2]}
            assert [i.id for i in items] == ids  # oldest first, only this user's
            return 2

        taken = await passive.take("oB", (ids[2],), held=True, fit=two)
        assert [i.message.text for i in taken] == ["第0条", "第1条"]
        assert woken == [1]
        status = await _status(db)
        assert [status[i] for i in ids] == [("sent", 1), ("sent", 1), ("pending", 0)]
    finally:
        await db.dispose()
