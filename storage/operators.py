"""Operators (platform / regulator): one-time login links and sessions, hashed at rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.staff import digest
from storage.tables import operator_tokens, operators


@dataclass(frozen=True)
class OperatorSession:
    operator_id: int
    name: str
    csrf: str


class OperatorRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def create(self, name: str, now: datetime) -> int:
        result = await self._conn.execute(
            insert(operators).values(name=name, created_at=now).returning(operators.c.id))
        return int(result.scalar_one())

    async def add_token(self, operator_id: int, kind: str, token: str, expires_at: datetime,
                        csrf: str | None = None) -> None:
        await self._conn.execute(insert(operator_tokens).values(
            token_hash=digest(token), operator_id=operator_id, kind=kind, csrf=csrf,
            expires_at=expires_at))

    async def use_login(self, token: str, now: datetime) -> int | None:
        """Spend a one-time login link; None when unknown, used or expired."""
        result = await self._conn.execute(
            update(operator_tokens)
            .where(operator_tokens.c.token_hash == digest(token),
                   operator_tokens.c.kind == "login", operator_tokens.c.used_at.is_(None),
                   operator_tokens.c.expires_at > now)
            .values(used_at=now).returning(operator_tokens.c.operator_id))
        row = result.first()
        return None if row is None else int(row[0])

    async def session(self, token: str, now: datetime) -> OperatorSession | None:
        row = (await self._conn.execute(
            select(operators.c.id, operators.c.name, operator_tokens.c.csrf)
            .join(operator_tokens, operator_tokens.c.operator_id == operators.c.id)
            .where(operator_tokens.c.token_hash == digest(token),
                   operator_tokens.c.kind == "session", operator_tokens.c.expires_at > now)
        )).first()
        return None if row is None else OperatorSession(int(row[0]), row[1], row[2] or "")

    async def end_session(self, token: str) -> None:
        await self._conn.execute(delete(operator_tokens).where(
            operator_tokens.c.token_hash == digest(token)))
