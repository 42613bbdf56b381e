"""Helpers for the WeChat tests: waiting for the relay, counting rows."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select
from sqlalchemy.sql.schema import Table

from bot.app import Components
from storage.tables import outbox

_OPTIONS = re.compile(r"\[([^\]]+)\] (\S+)")


async def count(parts: Components, table: Table) -> int:
    async with parts.db.unit_of_work() as uow:
        return int((await uow.connection.execute(
            select(func.count()).select_from(table))).scalar_one())


async def pending_due(parts: Components) -> int:
    """Recipients whose oldest pending WeChat row is due (the relay sends heads only)."""
    heads = (select(func.min(outbox.c.id)).where(outbox.c.status == "pending")
             .group_by(outbox.c.channel, outbox.c.recipient))
    async with parts.db.unit_of_work() as uow:
        return int((await uow.connection.execute(
            select(func.count()).select_from(outbox).where(
                outbox.c.id.in_(heads), outbox.c.channel == "wechat",
                outbox.c.next_attempt_at <= parts.clock()))).scalar_one())


async def drained(parts: Components) -> None:
    """Until the relay has dealt with every WeChat row that is due (sent or held)."""
    async with asyncio.timeout(10.0):
        while await pending_due(parts):
            parts.relay.wake()
            await asyncio.sleep(0.01)


def wechat_lines(expected: str) -> list[str]:
    """A transcript's "[1] 确认无误  [2] 修改" as WeChat shows options: one line each."""
    options = _OPTIONS.findall(expected)
    if not options or _OPTIONS.sub("", expected).strip():
        return [expected]
    return [f"回复 {key} {label}" if key != label else f"回复「{label}」"
            for key, label in options]
