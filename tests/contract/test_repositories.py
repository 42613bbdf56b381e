"""The repository / unit-of-work suite, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.complaint import Evidence, Filing
from bot.domain.states import Status
from storage.engine import create_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.people import EnterpriseRow
from storage.uow import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SHOP = EnterpriseRow("shop-1", "鞍山鑫汇购物广场有限公司", ("鑫汇",), None, "鞍山市铁东区",
                     "胜利南路12号", ("G01",))


@pytest.fixture
async def db(database_url: str) -> Database:
    database = Database(create_engine(database_url))
    await upgrade(database.engine)
    yield database  # type: ignore[misc]
    await database.dispose()


def _filing(**changes: object) -> Filing:
    values: dict[str, object] = dict(
        enterprise_id="shop-1", merchant="鑫汇", merchant_address="胜利南路12号", product="洗衣机",
        purchase_date=date(2026, 11, 20), amount=3299.0, channel="offline",
        facts="洗衣机不脱水", demands=("return", "refund"), consumer_name="王芳",
        consumer_phone="13912345678", consumer_address="鞍山市铁东区", category="G01",
        nature="quality", evidence=(Evidence("media/a.jpg", "ab" * 32),),
    )
    values.update(changes)
    return Filing(**values)  # type: ignore[arg-type]


async def _consumer(db: Database, external: str = "u1") -> int:
    async with db.unit_of_work() as uow:
        ident = await uow.identities.get_or_create("web", external, NOW, "zh")
        await uow.commit()
    return ident.consumer_id


async def test_migrations_reach_head(db: Database) -> None:
    assert await current_revision(db.engine) == head_revision()


async def test_uncommitted_work_rolls_back(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.enterprises.upsert(SHOP, NOW)
    async with db.unit_of_work() as uow:
        assert await uow.enterprises.get("shop-1") is None


async def test_enterprise_upsert_inserts_then_updates(db: Database) -> None:
    async with db.unit_of_work() as uow:
        assert await uow.enterprises.upsert(SHOP, NOW) is True
        renamed = EnterpriseRow(**{**SHOP.__dict__, "name": "鑫汇广场（新）"})
        assert await uow.enterprises.upsert(renamed, NOW) is False
        await uow.commit()
    async with db.unit_of_work() as uow:
        found = await uow.enterprises.get("shop-1")
        assert found is not None
        assert found.name == "鑫汇广场（新）"
        assert found.aliases == ("鑫汇",)


async def test_identity_is_created_once_per_channel_user(db: Database) -> None:
    first = await _consumer(db, "same")
    second = await _consumer(db, "same")
    other = await _consumer(db, "other")
    assert first == second != other


async def test_references_count_up_per_day(db: Database) -> None:
    async with db.unit_of_work() as uow:
        refs = [await uow.complaints.next_reference(date(2026, 11, 22)) for _ in range(3)]
        next_day = await uow.complaints.next_reference(date(2026, 11, 23))
        await uow.commit()
    if db.sqlite:  # a daily counter: 1, 2, 3 … each day
        assert refs == ["TS20261122000001", "TS20261122000002", "TS20261122000003"]
        assert next_day == "TS20261123000001"
    else:  # a sequence (no row lock held until commit): increasing, never repeated
        numbers = [int(r[-6:]) for r in refs]
        assert [r[:10] for r in refs] == ["TS20261122"] * 3 and next_day[:10] == "TS20261123"
        assert numbers == sorted(set(numbers)) and int(next_day[-6:]) > numbers[-1]


async def test_concurrent_submissions_do_not_wait_for_each_others_commit(
        db: Database) -> None:
    """Two turns that each took a number are both still open: neither waits for the
    other (PostgreSQL once queued every submission on the day's counter row)."""
    if db.sqlite:
        pytest.skip("SQLite has one writer at a time: turns never overlap there")
    async with db.unit_of_work() as first, db.unit_of_work() as second:
        one = await asyncio.wait_for(first.complaints.next_reference(date(2026, 11, 22)), 5)
        two = await asyncio.wait_for(second.complaints.next_reference(date(2026, 11, 22)), 5)
        assert one != two


async def test_complaint_roundtrip_is_visible_only_to_its_consumer(db: Database) -> None:
    owner, stranger = await _consumer(db, "owner"), await _consumer(db, "stranger")
    async with db.unit_of_work() as uow:
        await uow.enterprises.upsert(SHOP, NOW)
        complaint_id = await uow.complaints.insert(
            _filing(), reference="TS20261123000001", consumer_id=owner, status=Status.SUBMITTED,
            source_channel="web", now=NOW, deadline=date(2026, 12, 7))
        await uow.complaints.add_event(complaint_id, action="submit", from_status=Status.DRAFT,
                                       to_status=Status.SUBMITTED, actor="consumer",
                                       actor_ref="web:1", now=NOW)
        await uow.complaints.add_message(complaint_id, sender_role="enterprise",
                                         sender_channel="web", text="您好，已收到", now=NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        mine = await uow.complaints.get_for_consumer(owner, "TS20261123000001")
        theirs = await uow.complaints.get_for_consumer(stranger, "TS20261123000001")
        listed = await uow.complaints.list_for_consumer(stranger)
        events = await uow.complaints.events(complaint_id)
    assert theirs is None
    assert listed == []
    assert mine is not None
    assert mine.status == Status.SUBMITTED
    assert mine.deadline == date(2026, 12, 7)
    assert mine.demands == ("return", "refund")
    assert mine.last_message is not None
    assert mine.last_message.text == "您好，已收到"
    assert mine.submitted_at == NOW
    assert [(e["action"], e["to_status"], e["actor"]) for e in events] == [
        ("submit", "submitted", "consumer")]


async def test_sql_looking_text_is_stored_literally(db: Database) -> None:
    owner = await _consumer(db)
    facts = "'); DROP TABLE complaints; -- <script>alert(1)</script>"
    async with db.unit_of_work() as uow:
        await uow.enterprises.upsert(SHOP, NOW)
        await uow.complaints.insert(_filing(facts=facts), reference="TS20261123000009",
                                    consumer_id=owner, status=Status.SUBMITTED,
                                    source_channel="web", now=NOW, deadline=date(2026, 12, 7))
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.complaints.count() == 1


async def test_receipt_is_unique_per_delivery(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.receipts.add("wechat", "m1", [{"id": 1, "text": "好"}], NOW)
        await uow.commit()
    async def deliver_again() -> None:
        async with db.unit_of_work() as uow:
            await uow.receipts.add("wechat", "m1", [], NOW)
            await uow.commit()

    with pytest.raises(IntegrityError):
        await deliver_again()
    async with db.unit_of_work() as uow:
        assert await uow.receipts.replies_of("wechat", "m1") == [{"id": 1, "text": "好"}]
        assert await uow.receipts.replies_of("telegram", "m1") is None


async def test_conversation_state_roundtrip(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.conversations.save("web:u", {"step": "amount", "draft": {"a": "鑫汇"}}, NOW,
                                     existed=False)
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.conversations.save("web:u", {"step": "phone"}, NOW, existed=True)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.conversations.load("web:u") == {"step": "phone"}
        assert await uow.conversations.load("web:nobody") is None


async def test_outbox_lease_lets_one_claimer_win(db: Database) -> None:
    async with db.unit_of_work() as uow:
        row_id = await uow.outbox.add("telegram", "u", {"text": "hi"}, NOW)
        await uow.commit()

    async def claim() -> bool:
        async with db.unit_of_work() as uow:
            won = await uow.outbox.claim(row_id, NOW, NOW + timedelta(seconds=60))
            await uow.commit()
            return won

    results = await asyncio.gather(claim(), claim())
    assert sorted(results) == [False, True]
    async with db.unit_of_work() as uow:
        assert await uow.outbox.due_heads(NOW, 10) == []
        later = await uow.outbox.due_heads(NOW + timedelta(seconds=61), 10)
    assert [r.id for r in later] == [row_id]


async def test_outbox_states_and_feed(db: Database) -> None:
    async with db.unit_of_work() as uow:
        a = await uow.outbox.add("web", "u", {"text": "a"}, NOW)  # pulled: delivered at once
        b = await uow.outbox.add("web", "u", {"text": "b"}, NOW)
        c = await uow.outbox.add("telegram", "other", {"text": "c"}, NOW)
        d = await uow.outbox.add("telegram", "other", {"text": "d"}, NOW)
        assert uow.outbox.pulled == {("web", "u")}
        await uow.outbox.mark_dead(c, "blocked")
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.outbox.count_by_status() == {"sent": 2, "pending": 1, "dead": 1}
        assert [r.id for r in await uow.outbox.due_heads(NOW, 10)] == [d]
        feed = await uow.outbox.feed("web", "u", 0)
        assert [r.payload["text"] for r in feed] == ["a", "b"]
        assert [r.id for r in await uow.outbox.feed("web", "u", a)] == [b]


async def test_kv_values_expire(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.kv.put("token", "abc", NOW + timedelta(hours=2))
        await uow.kv.put("token", "def", NOW + timedelta(hours=2))
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await uow.kv.get("token", NOW) == "def"
        assert await uow.kv.get("token", NOW + timedelta(hours=3)) is None


async def test_a_turn_starts_with_one_read(db: Database) -> None:
    """Receipt, conversation state and identity of a delivery, read together."""
    async with db.unit_of_work() as uow:
        fresh = await uow.conversations.start_turn("wechat", "m1", "oA", "wechat:oA")
        assert (fresh.replies, fresh.state, fresh.identity) == (None, None, None)
        ident = await uow.identities.get_or_create("wechat", "oA", NOW, "zh")
        await uow.conversations.save("wechat:oA", {"flow": "intake"}, NOW, existed=False)
        await uow.receipts.add("wechat", "m1", [{"id": 7, "text": "您好"}], NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        again = await uow.conversations.start_turn("wechat", "m1", "oA", "wechat:oA")
        later = await uow.conversations.start_turn("wechat", "m2", "oA", "wechat:oA")
        other = await uow.conversations.start_turn("telegram", "m1", "oA", "telegram:oA")
    assert again.replies == [{"id": 7, "text": "您好"}]
    assert later.replies is None and later.state == {"flow": "intake"}
    assert later.identity == ident
    assert (other.replies, other.state, other.identity) == (None, None, None)
