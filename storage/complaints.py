"""Complaints, their audit trail, case messages and evidence."""

from __future__ import annotations

from dataclasses import fields
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
_NEXT_OF_DAY = (sqlite_insert(ref_counters).values(day=bindparam("p_day"), last=1)
                .on_conflict_do_update(index_elements=[ref_counters.c.day],
                                       set_={"last": ref_counters.c.last + 1})
                .returning(ref_counters.c.last))

# Statements of a submission and of the negotiation, built once (see storage/runner.py).
_FILING_FIELDS = tuple(f.name for f in fields(Filing) if f.name != "evidence")
_NEW_COMPLAINT = insert(complaints).values(
    {name: bindparam(f"p_{name}") for name in (
        *_FILING_FIELDS, "reference", "consumer_id", "status", "source_channel", "consent_at",
        "submitted_at", "updated_at", "deadline", "accept_deadline")}
).returning(complaints.c.id)
_NEW_EVIDENCE = insert(evidence).values(
    complaint_id=bindparam("p_complaint"), path=bindparam("p_path"),
    sha256=bindparam("p_sha256"), content_type=bindparam("p_content_type"),
    at=bindparam("p_now"))
_NEW_EVENT = insert(complaint_events).values(
    complaint_id=bindparam("p_complaint"), action=bindparam("p_action"),
    from_status=bindparam("p_from"), to_status=bindparam("p_to"), actor=bindparam("p_actor"),
    actor_ref=bindparam("p_actor_ref"), detail=bindparam("p_detail"), at=bindparam("p_now"))
_NEW_MESSAGE = insert(case_messages).values(
    complaint_id=bindparam("p_complaint"), sender_role=bindparam("p_role"),
    kind=bindparam("p_kind"), sender_channel=bindparam("p_channel"), text=bindparam("p_text"),
    media_path=bindparam("p_media"), at=bindparam("p_now"))
_FOR_CONSUMER = select(complaints).where(complaints.c.reference == bindparam("p_reference"),
                                         complaints.c.consumer_id == bindparam("p_consumer"))


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
            [(number,)] = await self._run.rows(_NEXT_NUMBER, {})
            return format_reference(day, int(number) % 1_000_000)
        [(sequence,)] = await self._run.rows(_NEXT_OF_DAY, {"p_day": f"{day:%Y%m%d}"})
        return format_reference(day, int(sequence))

    async def insert(
        self, filing: Filing, *, reference: str, consumer_id: int, status: Status,
        source_channel: str, now: datetime, deadline: date, accept_deadline: date | None = None,
    ) -> int:
        params = {f"p_{name}": getattr(filing, name) for name in _FILING_FIELDS}
        params["p_demands"] = list(filing.demands)
        params.update(p_reference=reference, p_consumer_id=consumer_id, p_status=status.value,
                      p_source_channel=source_channel, p_consent_at=now, p_submitted_at=now,
                      p_updated_at=now, p_deadline=deadline, p_accept_deadline=accept_deadline)
        [(complaint_id,)] = await self._run.rows(_NEW_COMPLAINT, params)
        complaint_id = int(complaint_id)
        await mark_changed(self._conn, complaint_id)
        for item in filing.evidence:
            await self.add_evidence(complaint_id, item, now)
        return complaint_id

    async def add_evidence(self, complaint_id: int, item: Evidence, now: datetime) -> None:
        await self._run.run(_NEW_EVIDENCE, {
            "p_complaint": complaint_id, "p_path": item.path, "p_sha256": item.sha256,
            "p_content_type": item.content_type, "p_now": now})

    async def add_event(
        self, complaint_id: int, *, action: str, from_status: Status | None, to_status: Status,
        actor: str, actor_ref: str | None, now: datetime, detail: dict[str, Any] | None = None,
    ) -> None:
        await self._run.run(_NEW_EVENT, {
            "p_complaint": complaint_id, "p_action": action,
            "p_from": None if from_status is None else from_status.value,
            "p_to": to_status.value, "p_actor": actor, "p_actor_ref": actor_ref,
            "p_detail": detail, "p_now": now})

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
        found = await self._run.records(_FOR_CONSUMER, {"p_reference": reference,
                                                         "p_consumer": consumer_id})
        if not found:
            return None
        row = found[0]
        return _view(row, tuple(await self._messages(int(row["id"]), 5)))

    async def count(self) -> int:
        return int((await self._conn.execute(select(func.count()).select_from(complaints))
                    ).scalar_one())

    async def add_message(
        self, complaint_id: int, *, sender_role: str, sender_channel: str, text: str,
        now: datetime, media_path: str | None = None, kind: str = "message",
    ) -> None:
        await self._run.run(_NEW_MESSAGE, {
            "p_complaint": complaint_id, "p_role": sender_role, "p_kind": kind,
            "p_channel": sender_channel, "p_text": text, "p_media": media_path, "p_now": now})

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
