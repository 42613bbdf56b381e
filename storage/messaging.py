"""Conversation state, inbound receipts (dedupe), the outbox and shared key-values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.identity import IDENTITY_COLUMNS, IdentityRow, identity_of
from storage.runner import first, runner_for
from storage.tables import conversations, identities, inbound_receipts, kv, outbox

PENDING = outbox.c.status == literal_column("'pending'")
"""The literal condition that lets the planner use ``ix_outbox_pending`` (partial)."""

# The statements of every turn, built once: building a statement and its cache key costs
# more than SQLite takes to run it (bench/RESULTS.md, turns per second).
_LOAD_STATE = select(conversations.c.state).where(conversations.c.key == bindparam("p_key"))
_UPDATE_STATE = (update(conversations).where(conversations.c.key == bindparam("p_key"))
                 .values(state=bindparam("p_state"), updated_at=bindparam("p_now")))
_INSERT_STATE = insert(conversations).values(key=bindparam("p_key"), state=bindparam("p_state"),
                                             updated_at=bindparam("p_now"))
# Several workers: the turns of one conversation run one at a time (DESIGN §3).
_LOCK_CONVERSATION = select(func.pg_advisory_xact_lock(
    func.hashtextextended(bindparam("p_key", type_=String), 0)))
# The start of every turn in one read: was this delivery handled, who sent it, and the
# conversation's state (a round trip each on PostgreSQL, a statement each on SQLite).
_ONE = select(literal(1).label("one")).subquery("one")
_TURN_START = (
    select(inbound_receipts.c.replies, conversations.c.state,
           *IDENTITY_COLUMNS)
    .select_from(
        _ONE.outerjoin(inbound_receipts, and_(
            inbound_receipts.c.channel == bindparam("p_channel"),
            inbound_receipts.c.message_id == bindparam("p_message_id")))
        .outerjoin(conversations, conversations.c.key == bindparam("p_key"))
        .outerjoin(identities, and_(identities.c.channel == bindparam("p_channel"),
                                    identities.c.external_id == bindparam("p_user")))))
_REPLIES = select(inbound_receipts.c.replies).where(
    inbound_receipts.c.channel == bindparam("p_channel"),
    inbound_receipts.c.message_id == bindparam("p_message_id"))
_ADD_RECEIPT = insert(inbound_receipts).values(
    channel=bindparam("p_channel"), message_id=bindparam("p_message_id"),
    replies=bindparam("p_replies"), received_at=bindparam("p_now"))
_ADD_OUTBOX = insert(outbox).values(
    channel=bindparam("p_channel"), recipient=bindparam("p_recipient"),
    payload=bindparam("p_payload"), status=bindparam("p_status"),
    attempts=bindparam("p_attempts", 0),
    next_attempt_at=bindparam("p_next_at"), created_at=bindparam("p_now"),
    sent_at=bindparam("p_sent_at")).returning(outbox.c.id)

# A passive answer (WeChat) takes a recipient's pending rows that no relay worker leased,
# marking them sent in one statement. The conditions are repeated on the outer statement:
# PostgreSQL re-checks those (not the subquery's) on a row the relay changed concurrently.
MAX_CARRIED = 50
NO_LIMIT = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
# Not leased by a relay worker sending it (or whose lease ran out).
_UNLEASED = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < bindparam("p_now"))
_FREE = (outbox.c.channel == bindparam("p_channel"), outbox.c.recipient == bindparam("p_recipient"),
         PENDING, _UNLEASED)
_OLDEST_UPTO = (select(outbox.c.id).where(*_FREE, outbox.c.id <= bindparam("p_upto"))
                .order_by(outbox.c.id).limit(MAX_CARRIED))
_EXACTLY = select(outbox.c.id).where(*_FREE, outbox.c.id.in_(bindparam("p_ids", expanding=True)))
_SENT = {"status": "sent", "sent_at": bindparam("p_now"), "attempts": outbox.c.attempts + 1}
_TAKE_UPTO = (update(outbox).where(outbox.c.id.in_(_OLDEST_UPTO), *_FREE).values(_SENT)
              .returning(outbox.c.id, outbox.c.payload))
# SQLite: one writer, nothing changes a row under us, and with the conditions repeated its
# planner walks every pending row of every user (the status index) instead of the ids.
_TAKE_UPTO_SINGLE_WRITER = (update(outbox).where(outbox.c.id.in_(_OLDEST_UPTO)).values(_SENT)
                            .returning(outbox.c.id, outbox.c.payload))
_TAKE_EXACTLY = (update(outbox).where(outbox.c.id.in_(_EXACTLY), *_FREE).values(_SENT)
                 .returning(outbox.c.id, outbox.c.payload))
_PUT_BACK = (update(outbox).where(outbox.c.id.in_(bindparam("p_ids", expanding=True)))
             .values(status="pending", sent_at=None, attempts=outbox.c.attempts - 1,
                     next_attempt_at=bindparam("p_now")))
_DUE_NOW = (update(outbox).where(outbox.c.id.in_(bindparam("p_ids", expanding=True)),
                                 PENDING)
            .values(next_attempt_at=bindparam("p_now")))


@dataclass(frozen=True)
class TurnStart:
    replies: list[dict[str, Any]] | None
    """The stored replies when this delivery was handled before (a platform retry)."""
    state: dict[str, Any] | None
    identity: IdentityRow | None


class ConversationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._run = runner_for(conn)
        self._shared = conn.dialect.name == "postgresql"

    async def lock(self, key: str) -> None:
        """Hold the conversation until the transaction ends, against other workers (on
        PostgreSQL; SQLite has one writer at a time and one process)."""
        if self._shared:
            await self._run.rows(_LOCK_CONVERSATION, {"p_key": key})

    async def start_turn(self, channel: str, message_id: str, user: str, key: str
                         ) -> TurnStart:
        [row] = await self._run.rows(_TURN_START, {
            "p_channel": channel, "p_message_id": message_id, "p_key": key, "p_user": user})
        replies, state, *identity = row
        return TurnStart(None if replies is None else list(replies),
                         None if state is None else dict(state),
                         None if identity[0] is None else identity_of(identity))

    async def load(self, key: str) -> dict[str, Any] | None:
        row = first(await self._run.rows(_LOAD_STATE, {"p_key": key}))
        return None if row is None else dict(row[0])

    async def save(self, key: str, state: dict[str, Any], now: datetime, existed: bool) -> None:
        statement = _UPDATE_STATE if existed else _INSERT_STATE
        await self._run.run(statement, {"p_key": key, "p_state": state, "p_now": now})


class ReceiptRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._run = runner_for(conn)

    async def replies_of(self, channel: str, message_id: str) -> list[dict[str, Any]] | None:
        row = first(await self._run.rows(
            _REPLIES, {"p_channel": channel, "p_message_id": message_id}))
        return None if row is None else list(row[0])

    async def add(
        self, channel: str, message_id: str, replies: list[dict[str, Any]], now: datetime
    ) -> None:
        await self._run.run(_ADD_RECEIPT, {"p_channel": channel, "p_message_id": message_id,
                                           "p_replies": replies, "p_now": now})


@dataclass(frozen=True)
class OutboxRow:
    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime


# Channels whose clients pull their messages from the outbox (the web chat, the inbox):
# a row is delivered the moment it is committed, so it is stored as sent and the open
# streams are woken after the commit; the relay never has to touch it.
PULL_CHANNELS = frozenset({"web", "inbox"})


@dataclass(frozen=True)
class OutboxDepth:
    pending: dict[str, int]
    dead: dict[str, int]
    oldest_seconds: float


# The relay's statements, one round per due head: built once (storage/runner.py).
# The oldest pending row of each recipient: only a head may be sent (order).
_HEADS = (select(func.min(outbox.c.id)).where(PENDING)
          .group_by(outbox.c.channel, outbox.c.recipient))
_DUE_HEADS = (
    select(outbox)
    .where(outbox.c.id.in_(_HEADS),
           outbox.c.next_attempt_at <= bindparam("p_now"), _UNLEASED)
    .order_by(outbox.c.id)
    .limit(bindparam("p_limit")))
_NEXT_HEAD_DUE = select(func.min(case(
    (outbox.c.lease_until > outbox.c.next_attempt_at, outbox.c.lease_until),
    else_=outbox.c.next_attempt_at))).where(
    outbox.c.id.in_(_HEADS))
_CLAIM = (update(outbox)
          .where(outbox.c.id == bindparam("p_id"), PENDING, _UNLEASED)
          .values(lease_until=bindparam("p_lease")))
_MARK_SENT = (update(outbox).where(outbox.c.id == bindparam("p_id"))
              .values({**_SENT, "lease_until": None}))


# Does anything wait for this recipient (pending, leased or not)? A passive answer that
# finds nothing carries the turn's replies without taking rows back out (add(taken=True)).
# (Ordered by id so that SQLite takes the recipient's partial index, not every pending row.)
_ANY_PENDING = (select(outbox.c.id).where(
    outbox.c.channel == bindparam("p_channel"), outbox.c.recipient == bindparam("p_recipient"),
    PENDING).order_by(outbox.c.id).limit(1))


class OutboxRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)
        self._single_writer = conn.dialect.name == "sqlite"
        self.pulled: set[tuple[str, str]] = set()
        """(channel, recipient) of pull-channel rows added in this transaction."""
        self.due_now = 0
        """Push-channel rows added in this transaction that the relay may send at once."""
        self.due_later: datetime | None = None
        """The earliest time a held push-channel row added in this transaction falls due."""

    async def add(
        self, channel: str, recipient: str, payload: dict[str, Any], now: datetime,
        not_before: datetime | None = None, *, taken: bool = False,
    ) -> int:
        """A row to deliver; ``taken``: delivered by the answer to the platform's own
        request (a passive reply), so it is recorded as sent, once, in this transaction."""
        pull = channel in PULL_CHANNELS
        done = pull or taken
        [(row_id,)] = await self._run.rows(_ADD_OUTBOX, {
            "p_channel": channel, "p_recipient": recipient, "p_payload": payload,
            "p_status": "sent" if done else "pending", "p_next_at": not_before or now,
            "p_now": now, "p_sent_at": now if done else None, "p_attempts": int(taken)})
        if taken:
            return int(row_id)
        if pull:
            self.pulled.add((channel, recipient))
        elif not_before is None or not_before <= now:
            self.due_now += 1
        elif self.due_later is None or not_before < self.due_later:
            self.due_later = not_before
        return int(row_id)

    async def any_pending(self, channel: str, recipient: str) -> bool:
        """Whether a row still waits for this recipient (held, due, or being sent)."""
        return bool(await self._run.rows(_ANY_PENDING, {"p_channel": channel,
                                                         "p_recipient": recipient}))

    async def take_for_answer(
        self, channel: str, recipient: str, now: datetime, *, upto: int | None = None,
        ids: list[int] | None = None,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Mark as sent, and return oldest first, the recipient's free pending rows: the
        ones in ``ids``, or else every one up to id ``upto`` (rows added later belong to a
        later message). Rows this transaction added held are all among them."""
        params: dict[str, Any] = {"p_channel": channel, "p_recipient": recipient, "p_now": now}
        if ids is not None:
            statement, params["p_ids"] = _TAKE_EXACTLY, ids
        else:
            statement = _TAKE_UPTO_SINGLE_WRITER if self._single_writer else _TAKE_UPTO
            params["p_upto"] = NO_LIMIT if upto is None else upto
            self.due_later = None
        rows = await self._run.rows(statement, params)
        return sorted((int(r[0]), dict(r[1])) for r in rows)

    async def put_back(self, ids: list[int], now: datetime) -> None:
        """Rows taken for an answer that had no room for them: pending again, due now."""
        if ids:
            await self._conn.execute(_PUT_BACK, {"p_ids": ids, "p_now": now})
            self.due_now += len(ids)

    async def make_due(self, ids: list[int], now: datetime) -> None:
        """Rows held for an answer that was not given: due now, for the relay."""
        if ids:
            await self._conn.execute(_DUE_NOW, {"p_ids": ids, "p_now": now})
            self.due_now += len(ids)

    async def due_heads(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Recipient heads that are due and not leased by another worker, oldest first."""
        rows = await self._run.records(_DUE_HEADS, {"p_now": now, "p_limit": limit})
        return [_row(r) for r in rows]

    async def next_head_due_at(self) -> datetime | None:
        """When the relay should look again: a head leased by a send in flight (or by a
        worker that died mid-send) is not due before its lease ends."""
        [(due,)] = await self._run.rows(_NEXT_HEAD_DUE, {})
        return due  # type: ignore[no-any-return]

    async def claim(self, row_id: int, now: datetime, lease_until: datetime) -> bool:
        """Take a lease on a row, so a second worker does not send it concurrently."""
        changed = await self._run.run(_CLAIM, {"p_id": row_id, "p_now": now,
                                               "p_lease": lease_until})
        return changed == 1

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        await self._run.run(_MARK_SENT, {"p_id": row_id, "p_now": now})

    async def mark_retry(self, row_id: int, next_at: datetime, error: str, count: bool) -> None:
        values: dict[str, Any] = {"next_attempt_at": next_at, "last_error": error[:1000],
                                  "lease_until": None}
        if count:
            values["attempts"] = outbox.c.attempts + 1
        await self._conn.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    async def mark_dead(self, row_id: int, error: str) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(status="dead", last_error=error[:1000], lease_until=None,
                    attempts=outbox.c.attempts + 1)
        )

    async def depth(self, now: datetime) -> OutboxDepth:
        """Pending and dead rows per channel, and the age of the oldest pending row."""
        rows = await self._conn.execute(
            select(outbox.c.channel, outbox.c.status, func.count(), func.min(outbox.c.created_at))
            .where(outbox.c.status.in_(("pending", "dead")))
            .group_by(outbox.c.channel, outbox.c.status))
        pending: dict[str, int] = {}
        dead: dict[str, int] = {}
        oldest: datetime | None = None
        for channel, status, count, since in rows:
            (pending if status == "pending" else dead)[str(channel)] = int(count)
            if status == "pending" and since is not None:
                oldest = since if oldest is None else min(oldest, since)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        return OutboxDepth(pending, dead, max(age, 0.0))

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._conn.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def feed(self, channel: str, recipient: str, after_id: int, limit: int = 200
                   ) -> list[OutboxRow]:
        """Messages for one recipient after ``after_id``, for channels that pull (web)."""
        rows = await self._conn.execute(
            select(outbox)
            .where(and_(outbox.c.channel == channel, outbox.c.recipient == recipient,
                        outbox.c.id > after_id, outbox.c.status != "dead"))
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [_row(r) for r in rows.mappings()]


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        id=int(r["id"]), channel=r["channel"], recipient=r["recipient"],
        payload=dict(r["payload"]), attempts=int(r["attempts"]), created_at=r["created_at"],
        next_attempt_at=r["next_attempt_at"],
    )


class KeyValueRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, key: str, now: datetime) -> str | None:
        row = (await self._conn.execute(select(kv.c.value, kv.c.expires_at).where(kv.c.key == key))
               ).first()
        if row is None or (row[1] is not None and row[1] <= now):
            return None
        return str(row[0])

    async def put(self, key: str, value: str, expires_at: datetime | None) -> None:
        updated = await self._conn.execute(
            update(kv).where(kv.c.key == key).values(value=value, expires_at=expires_at)
        )
        if updated.rowcount == 0:
            await self._conn.execute(insert(kv).values(key=key, value=value, expires_at=expires_at))
