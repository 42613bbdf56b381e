"""Erasing a consumer's personal data from finished cases (PIPL), keeping the statistics.

What stays: codes (category, nature, demands, channel), dates, amounts, states, the audit
trail of actions. What goes: names, phone numbers, addresses, the free text of the facts
and the negotiation, evidence photos, the conversation state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import (
    case_messages,
    complaints,
    consumers,
    conversations,
    evidence,
    identities,
)

FINISHED = ("closed", "withdrawn", "escalated")
ERASED = "[已删除]"


@dataclass(frozen=True)
class Erasure:
    consumers: int
    cases: int
    kept_open: int
    files: list[str]


class PrivacyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def consumers_matching(self, who: str) -> list[int]:
        """A consumer by id, mobile number, or the reference of one of their complaints."""
        clauses = [consumers.c.phone == who]
        if who.isascii() and who.isdigit() and len(who) < 11:
            clauses.append(consumers.c.id == int(who))
        found = {int(r[0]) for r in await self._conn.execute(
            select(consumers.c.id).where(or_(*clauses)))}
        by_case = await self._conn.execute(select(complaints.c.consumer_id).where(
            or_(complaints.c.reference == who.upper(), complaints.c.consumer_phone == who)))
        return sorted(found | {int(r[0]) for r in by_case})

    async def erase(self, consumer_ids: list[int], before: datetime) -> Erasure:
        """Erase finished cases last changed before ``before``; open ones are kept."""
        cases = [(int(r[0]), r[1]) for r in await self._conn.execute(
            select(complaints.c.id, complaints.c.status).where(
                complaints.c.consumer_id.in_(consumer_ids)))]
        done = [cid for cid, status in cases if status in FINISHED]
        old = {int(r[0]) for r in await self._conn.execute(select(complaints.c.id).where(
            complaints.c.id.in_(done), complaints.c.updated_at < before))} if done else set()
        files = [r[0] for r in await self._conn.execute(
            select(evidence.c.path).where(evidence.c.complaint_id.in_(old)))] if old else []
        if old:
            await self._conn.execute(update(complaints).where(complaints.c.id.in_(old)).values(
                consumer_name=ERASED, consumer_phone="", consumer_address="", facts=ERASED,
                order_no=None, proposal=None, outcome=None))
            await self._conn.execute(update(case_messages).where(
                case_messages.c.complaint_id.in_(old)).values(text=ERASED, media_path=None))
            await self._conn.execute(delete(evidence).where(evidence.c.complaint_id.in_(old)))
        kept_open = len(cases) - len(old)
        if kept_open == 0:
            await self._forget_consumers(consumer_ids)
        return Erasure(len(consumer_ids), len(old), kept_open, files)

    async def _forget_consumers(self, consumer_ids: list[int]) -> None:
        await self._conn.execute(update(consumers).where(consumers.c.id.in_(consumer_ids))
                                 .values(name=None, phone=None, address=None))
        keys = [f"{r[0]}:{r[1]}" for r in await self._conn.execute(
            select(identities.c.channel, identities.c.external_id).where(
                identities.c.consumer_id.in_(consumer_ids)))]
        if keys:
            await self._conn.execute(delete(conversations).where(conversations.c.key.in_(keys)))


def remove_files(paths: list[str]) -> int:
    removed = 0
    for path in paths:
        try:
            Path(path).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
