"""The rows a passive reply takes, on both databases: never a row the relay is sending,
never a row twice, oldest first, and what does not fit goes back to the relay at once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.adapters.wechat.ports import OutboxItem
from bot.core.messages import Channel, InboundMessage, OutboundMessage
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


def _wechat(user: str, n: int, text: str, clock: FakeClock) -> InboundMessage:
    clock.advance(seconds=2)
    return InboundMessage(channel=Channel.WECHAT, user_id=user, message_id=f"{user}-{n}",
                          text=text, received_at=clock())


async def test_a_turn_with_nothing_waiting_answers_directly(database_url: str,
                                                           tmp_path: Path) -> None:
    """Nothing older waits for the user: the turn writes its replies as sent (once, with
    the attempt counted) and the relay is given nothing; what does not fit is left to the
    relay; with an older row waiting, it goes first in the answer (the take)."""
    import asyncio

    from bot.core.ports import PassiveAnswer
    from tests.support.app import app_config, running_app

    clock = FakeClock()
    async with running_app(app_config(database_url, tmp_path), clock) as (_app, parts):
        later = asyncio.get_running_loop().time() + 60

        def none(items: Sequence[OutboxItem], current: Collection[int]) -> int:
            return 0

        answered = await parts.dispatcher(_wechat("oD", 1, "帮助", clock),
                                          passive=PassiveAnswer(everything, later))
        assert answered.carried is not None and answered.carried
        assert [i.id for i in answered.carried] == list(answered.outbox_ids)
        status = await _status(parts.db)
        assert {status[i] for i in answered.outbox_ids} == {("sent", 1)}

        left = await parts.dispatcher(_wechat("oD", 2, "帮助", clock),
                                      passive=PassiveAnswer(none, later))
        assert left.carried == ()
        status = await _status(parts.db)  # left to the relay (which cannot send here)
        assert {status[i][0] for i in left.outbox_ids} == {"pending"}

        async with parts.db.unit_of_work() as uow:  # held: the relay leaves it alone
            older = await uow.outbox.add("wechat", "oE", payload_of(OutboundMessage(
                Channel.WECHAT, "oE", "早先的通知")), clock(), clock() + timedelta(hours=1))
            await uow.commit()
        taken = await parts.dispatcher(_wechat("oE", 1, "帮助", clock),
                                       passive=PassiveAnswer(everything, later))
        assert taken.carried is not None
        assert [i.id for i in taken.carried] == [older, *taken.outbox_ids]
        assert (await _status(parts.db))[older] == ("sent", 1)
