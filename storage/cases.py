"""Cases: submitted complaints as both sides of the negotiation read and change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.complaint import Case, ThreadMessage
from bot.domain.states import Status
from storage.rollups import mark_changed
from storage.runner import runner_for
from storage.tables import case_messages, complaints, enterprises, evidence

_EVIDENCE = (
    select(func.count()).where(evidence.c.complaint_id == complaints.c.id)
    .correlate(complaints).scalar_subquery().label("evidence_count")
)


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[Status, ...] = ()
    category: str | None = None
    deadline_before: date | None = None
    search: str | None = None
    """A reference number or (part of) the consumer's phone."""
    limit: int = 100
    offset: int = 0


def _select_cases() -> Select[Any]:
    return (select(complaints, enterprises.c.name.label("enterprise_name"),
                   enterprises.c.district.label("enterprise_district"), _EVIDENCE)
            .join(enterprises, enterprises.c.id == complaints.c.enterprise_id))


_OF_CONSUMER: dict[frozenset[Status], Select[Any]] = {}


def _of_consumer(statuses: frozenset[Status]) -> Select[Any]:
    """A consumer's cases in some states, newest first: asked on most turns (is there a
    negotiation to carry the message to?), so built once per set of states."""
    found = _OF_CONSUMER.get(statuses)
    if found is None:
        found = _OF_CONSUMER[statuses] = _select_cases().where(
            complaints.c.consumer_id == bindparam("p_consumer"),
            or_(*(complaints.c.status == s.value for s in sorted(statuses)))
        ).order_by(complaints.c.id.desc())
    return found


_BY_REFERENCE = _select_cases().where(complaints.c.reference == bindparam("p_reference"))
_BY_ID = _select_cases().where(complaints.c.id == bindparam("p_id"))
_UPDATES: dict[tuple[str, ...], Any] = {}


def _update(columns: tuple[str, ...]) -> Any:
    """The UPDATE of a case setting these columns (and ``updated_at``), built once per set
    of columns: a handful of transitions use a handful of sets."""
    found = _UPDATES.get(columns)
    if found is None:
        found = _UPDATES[columns] = update(complaints).where(
            complaints.c.id == bindparam("p_id")).values(
            {name: bindparam(f"p_{name}") for name in ("updated_at", *columns)})
    return found


class CaseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    def _select(self) -> Select[Any]:
        return _select_cases()

    async def by_reference(self, reference: str) -> Case | None:
        rows = await self._run.records(_BY_REFERENCE, {"p_reference": reference})
        return _case(rows[0]) if rows else None

    async def by_id(self, case_id: int) -> Case | None:
        rows = await self._run.records(_BY_ID, {"p_id": case_id})
        return _case(rows[0]) if rows else None

    async def by_ids(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """Several cases in one statement (the ODR clock's batch of due timers)."""
        rows = await self._conn.execute(
            self._select().where(complaints.c.id.in_(sorted(set(case_ids)))))
        return {int(r["id"]): _case(r) for r in rows.mappings()}

    async def of_consumer(self, consumer_id: int, statuses: Iterable[Status]) -> list[Case]:
        rows = await self._run.records(_of_consumer(frozenset(statuses)),
                                       {"p_consumer": consumer_id})
        return [_case(r) for r in rows]

    async def of_enterprise(self, enterprise_id: str, where: CaseFilter) -> list[Case]:
        query = self._select().where(complaints.c.enterprise_id == enterprise_id)
        if where.statuses:
            query = query.where(complaints.c.status.in_([s.value for s in where.statuses]))
        if where.category:
            query = query.where(complaints.c.category == where.category)
        if where.deadline_before is not None:
            query = query.where(complaints.c.deadline <= where.deadline_before)
        if where.search:
            needle = where.search.strip()
            query = query.where(or_(complaints.c.reference == needle.upper(),
                                    complaints.c.consumer_phone.contains(needle, autoescape=True)))
        rows = await self._conn.execute(
            query.order_by(complaints.c.deadline, complaints.c.id)
            .limit(where.limit).offset(where.offset))
        return [_case(r) for r in rows.mappings()]

    async def update(self, case_id: int, now: datetime, **values: Any) -> None:
        if "status" in values and isinstance(values["status"], Status):
            values["status"] = values["status"].value
        params = {f"p_{name}": value for name, value in values.items()}
        params.update(p_id=case_id, p_updated_at=now)
        await self._run.run(_update(tuple(sorted(values))), params)
        await mark_changed(self._conn, case_id)  # the regulator's rollups (issue 7)

    async def thread(self, case_id: int) -> list[ThreadMessage]:
        rows = await self._conn.execute(
            select(case_messages).where(case_messages.c.complaint_id == case_id)
            .order_by(case_messages.c.id))
        return [ThreadMessage(r["sender_role"], r["sender_channel"], r["kind"], r["text"],
                              r["at"], r["media_path"]) for r in rows.mappings()]

    async def evidence_paths(self, case_id: int) -> list[tuple[str, str]]:
        rows = await self._conn.execute(
            select(evidence.c.path, evidence.c.sha256).where(evidence.c.complaint_id == case_id)
            .order_by(evidence.c.id))
        return [(r[0], r[1]) for r in rows]


def _case(row: Any) -> Case:
    return Case(
        id=int(row["id"]), reference=row["reference"], status=Status(row["status"]),
        consumer_id=int(row["consumer_id"]), enterprise_id=row["enterprise_id"],
        enterprise_name=row["enterprise_name"], merchant=row["merchant"],
        product=row["product"], purchase_date=row["purchase_date"], amount=row["amount"],
        channel=row["channel"], facts=row["facts"], demands=tuple(row["demands"] or ()),
        consumer_name=row["consumer_name"], consumer_phone=row["consumer_phone"],
        consumer_address=row["consumer_address"], category=row["category"],
        nature=row["nature"], order_no=row["order_no"], submitted_at=row["submitted_at"],
        deadline=row["deadline"], accepted_at=row["accepted_at"],
        first_response_at=row["first_response_at"], resolved_at=row["resolved_at"],
        proposal=row["proposal"], outcome=row["outcome"], rating=row["rating"],
        evidence_count=int(row["evidence_count"] or 0),
        merchant_address=row["merchant_address"], source_channel=row["source_channel"],
        enterprise_district=row["enterprise_district"],
        accept_deadline=row["accept_deadline"], proposed_at=row["proposed_at"],
        extended_days=int(row["extended_days"] or 0),
    )
