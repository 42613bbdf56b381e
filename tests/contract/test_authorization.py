"""Who may do what to a case: consumer A (owner), consumer B, staff of the case's
enterprise X, staff of enterprise Y — for every action. A refusal changes nothing and
looks exactly like an unknown reference."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime

import pytest

from bot.domain.complaint import Filing
from bot.domain.errors import CaseNotFound
from bot.domain.states import Status
from bot.services.cases import CaseService, ConsumerActor, StaffActor
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.people import EnterpriseRow
from storage.uow import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
REF = "TS20261123000001"
X = EnterpriseRow("ent-x", "X商场", (), None, "鞍山市铁东区", "", ())
Y = EnterpriseRow("ent-y", "Y超市", (), None, "张掖市甘州区", "", ())


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(create_engine(database_url))
    await upgrade(database.engine)
    async with database.unit_of_work() as uow:
        await uow.enterprises.upsert(X, NOW)
        await uow.enterprises.upsert(Y, NOW)
        owner = await uow.identities.get_or_create("web", "a", NOW, None)
        await uow.identities.get_or_create("web", "b", NOW, None)
        staff_x = await uow.staff.create("ent-x", "x1", "agent", NOW)
        staff_y = await uow.staff.create("ent-y", "y1", "agent", NOW)
        assert (staff_x, staff_y) == (1, 2)
        filing = Filing("ent-x", "X商场", "", "电视", date(2026, 11, 1), 1999.0, "offline",
                        "屏幕坏了", ("refund",), "甲", "13900000001", "鞍山", "G01", "quality")
        await uow.complaints.insert(filing, reference=REF, consumer_id=owner.consumer_id,
                                    status=Status.SUBMITTED, source_channel="web", now=NOW,
                                    deadline=date(2026, 12, 7))
        await uow.commit()
    yield database
    await database.dispose()


ACTORS = {
    "consumer-a": ConsumerActor(1, "web"),
    "consumer-b": ConsumerActor(2, "web"),
    "staff-x": StaffActor(1, "ent-x", "x1", "inbox"),
    "staff-y": StaffActor(2, "ent-y", "y1", "inbox"),
}
Act = Callable[[CaseService, object], Awaitable[object]]
ACTIONS: dict[str, tuple[str, Status, Act]] = {
    # name: (who may, state to start from, call)
    "view-staff": ("staff-x", Status.SUBMITTED, lambda s, a: s.for_staff(a, REF)),  # type: ignore[arg-type]
    "accept": ("staff-x", Status.SUBMITTED, lambda s, a: s.accept(a, REF)),  # type: ignore[arg-type]
    "reply": ("staff-x", Status.ACCEPTED, lambda s, a: s.reply(a, REF, "您好")),  # type: ignore[arg-type]
    "propose": ("staff-x", Status.NEGOTIATING, lambda s, a: s.propose(a, REF, "退款")),  # type: ignore[arg-type]
    "refuse": ("staff-x", Status.NEGOTIATING, lambda s, a: s.refuse(a, REF, "超期")),  # type: ignore[arg-type]
    "settle": ("staff-x", Status.SETTLED, lambda s, a: s.settle(a, REF, "已退款")),  # type: ignore[arg-type]
    "view-consumer": ("consumer-a", Status.SUBMITTED, lambda s, a: s.for_consumer(a, REF)),  # type: ignore[arg-type]
    "message": ("consumer-a", Status.ACCEPTED,
                lambda s, a: s.consumer_message(a, REF, "还在吗")),  # type: ignore[arg-type]
    "accept-offer": ("consumer-a", Status.PROPOSED,
                     lambda s, a: s.answer_proposal(a, REF, True)),  # type: ignore[arg-type]
    "reject-offer": ("consumer-a", Status.PROPOSED,
                     lambda s, a: s.answer_proposal(a, REF, False)),  # type: ignore[arg-type]
    "rate": ("consumer-a", Status.CLOSED, lambda s, a: s.rate(a, REF, 4)),  # type: ignore[arg-type]
    "withdraw": ("consumer-a", Status.SUBMITTED, lambda s, a: s.withdraw(a, REF)),  # type: ignore[arg-type]
    "escalate": ("consumer-a", Status.NOT_SETTLED, lambda s, a: s.escalate(a, REF)),  # type: ignore[arg-type]
}


async def _status(db: Database) -> Status:
    async with db.unit_of_work() as uow:
        case = await uow.cases.by_reference(REF)
    assert case is not None
    return case.status


# Staff actions take a StaffActor and consumer actions a ConsumerActor (the types keep a
# consumer from calling a staff action at all; the chat-level refusal of that is in
# transcripts/authorization.chat): here each action meets both parties of its kind.
MATRIX = [(action, actor) for action, (allowed, _s, _c) in sorted(ACTIONS.items())
          for actor in sorted(ACTORS) if actor.split("-")[0] == allowed.split("-")[0]]


@pytest.mark.parametrize(("action", "actor"), MATRIX, ids=[f"{a}-by-{b}" for a, b in MATRIX])
async def test_only_the_right_party_may_act(db: Database, action: str, actor: str) -> None:
    allowed, start, call = ACTIONS[action]
    async with db.unit_of_work() as uow:
        case = await uow.cases.by_reference(REF)
        assert case is not None
        await uow.cases.update(case.id, NOW, status=start)
        await uow.commit()
    async with db.unit_of_work() as uow:
        service = CaseService(uow, NOW)
        if actor == allowed:
            await call(service, ACTORS[actor])
            await uow.commit()
            return
        with pytest.raises(CaseNotFound):
            await call(service, ACTORS[actor])
    assert await _status(db) == start  # nothing changed


async def test_unknown_reference_looks_the_same(db: Database) -> None:
    async with db.unit_of_work() as uow:
        service = CaseService(uow, NOW)
        with pytest.raises(CaseNotFound):
            await service.for_staff(ACTORS["staff-x"], "TS20991231999999")  # type: ignore[arg-type]
