"""Complaints, their audit trail, case messages and evidence."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.complaint import ComplaintView, Evidence, Filing, MessageView, format_reference
from bot.domain.states import Status
from storage.rollups import mark_changed
from storage.runner import runner_for
from storage.tables import (
    case_messages,
    complaint_events,
    complaint_reference_seq,
    complaints,
    evidence,
    ref_counters,
)

# A consumer's complaints and their last messages (查询, on every status query).
_OF_CONSUMER = (select(complaints).where(complaints.c.consumer_id == bindparam("p_consumer"))
                .order_by(complaints.c.id.desc()).limit(bindparam("p_limit")))
_LAST_MESSAGES = (
    select(case_messages.c.sender_role, case_messages.c.text, case_messages.c.at)
    .where(case_messages.c.complaint_id == bindparam("p_complaint"))
    .order_by(case_messages.c.id.desc()).limit(bindparam("p_last")))


_NEXT_NUMBER = select(complaint_reference_seq.next_value())


class ComplaintRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def next_reference(self, day: date) -> str:
        """The next reference number of ``day``.

        SQLite: a daily counter (upsert ... returning), numbers 1, 2, 3 … each day; one
        writer at a time, so holding its row until commit costs nothing. PostgreSQL: a
        sequence, so concurrent submissions do not queue on one row until each commits;
        the six digits are the sequence modulo 1,000,000 (unique within a day unless a
        million complaints arrive that day; the unique reference column would refuse it)."""
        if self._conn.dialect.name == "postgresql":
            number = (await self._conn.execute(_NEXT_NUMBER)).scalar_one()
            return format_reference(day, int(number) % 1_000_000)
        upsert = sqlite_insert(ref_counters).values(day=f"{day:%Y%m%d}", last=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[ref_counters.c.day], set_={"last": ref_counters.c.last + 1})
        sequence = (await self._conn.execute(upsert.returning(ref_counters.c.last))).scalar_one()
        return format_reference(day, int(sequence))

    async def insert(
        self, filing: Filing, *, reference: str, consumer_id: int, status: Status,
        source_channel: str, now: datetime, deadline: date, accept_deadline: date | None = None,
    ) -> int:
        values = asdict(filing)
        del values["evidence"]
        values["demands"] = list(filing.demands)
        result = await self._conn.execute(
            insert(complaints)
            .values(
                reference=reference, consumer_id=consumer_id, status=status.value,
                source_channel=source_channel, consent_at=now, submitted_at=now,
                updated_at=now, deadline=deadline, accept_deadline=accept_deadline, **values,
            )
            .returning(complaints.c.id)
        )
        complaint_id = int(result.scalar_one())
        await mark_changed(self._conn, complaint_id)
        for item in filing.evidence:
            await self.add_evidence(complaint_id, item, now)
        return complaint_id

    async def add_evidence(self, complaint_id: int, item: Evidence, now: datetime) -> None:
        await self._conn.execute(
            insert(evidence).values(
                complaint_id=complaint_id, path=item.path, sha256=item.sha256,
                content_type=item.content_type, at=now,
            )
        )

    async def add_event(
        self, complaint_id: int, *, action: str, from_status: Status | None, to_status: Status,
        actor: str, actor_ref: str | None, now: datetime, detail: dict[str, Any] | None = None,
    ) -> None:
        await self._conn.execute(
            insert(complaint_events).values(
                complaint_id=complaint_id, action=action,
                from_status=None if from_status is None else from_status.value,
                to_status=to_status.value, actor=actor, actor_ref=actor_ref, detail=detail, at=now,
            )
        )

    async def events(self, complaint_id: int) -> list[dict[str, Any]]:
        rows = await self._conn.execute(
            select(complaint_events)
            .where(complaint_events.c.complaint_id == complaint_id)
            .order_by(complaint_events.c.id)
        )
        return [dict(r) for r in rows.mappings()]

    async def list_for_consumer(self, consumer_id: int, limit: int = 20) -> list[ComplaintView]:
        rows = await self._run.records(_OF_CONSUMER, {"p_consumer": consumer_id,
                                                      "p_limit": limit})
        views = []
        for row in rows:
            last = await self._messages(int(row["id"]), 1)
            views.append(_view(row, tuple(last)))
        return views

    async def get_for_consumer(self, consumer_id: int, reference: str) -> ComplaintView | None:
        row = (
            await self._conn.execute(
                select(complaints).where(
                    complaints.c.reference == reference, complaints.c.consumer_id == consumer_id
                )
            )
        ).mappings().first()
        if row is None:
            return None
        return _view(row, tuple(await self._messages(int(row["id"]), 5)))

    async def count(self) -> int:
        return int((await self._conn.execute(select(func.count()).select_from(complaints))
                    ).scalar_one())

    async def add_message(
        self, complaint_id: int, *, sender_role: str, sender_channel: str, text: str,
        now: datetime, media_path: str | None = None, kind: str = "message",
    ) -> None:
        await self._conn.execute(
            insert(case_messages).values(
                complaint_id=complaint_id, sender_role=sender_role, kind=kind,
                sender_channel=sender_channel, text=text, media_path=media_path, at=now,
            )
        )

    async def _messages(self, complaint_id: int, last: int) -> list[MessageView]:
        rows = await self._run.rows(_LAST_MESSAGES, {"p_complaint": complaint_id,
                                                     "p_last": last})
        return [MessageView(r[0], r[1], r[2]) for r in reversed(rows)]


def _view(row: Any, messages: tuple[MessageView, ...]) -> ComplaintView:
    return ComplaintView(
        reference=row["reference"], status=Status(row["status"]), merchant=row["merchant"],
        product=row["product"], submitted_at=row["submitted_at"], deadline=row["deadline"],
        last_message=messages[-1] if messages else None, messages=messages,
        demands=tuple(row["demands"] or ()), amount=row["amount"],
    )
