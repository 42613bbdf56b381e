"""Consumers, their channel identities, and the enterprise registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.identity import IDENTITY_COLUMNS, IdentityRow, identity_of
from storage.rollups import mark_enterprise_changed
from storage.runner import first, runner_for
from storage.tables import consumers, enterprises, identities


@dataclass(frozen=True)
class ConsumerRow:
    id: int
    name: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class EnterpriseRow:
    id: str
    name: str
    aliases: tuple[str, ...]
    uscc: str | None
    district: str
    address: str
    categories: tuple[str, ...]


_IDENTITY = select(*IDENTITY_COLUMNS).where(identities.c.channel == bindparam("channel"),
                                   identities.c.external_id == bindparam("external_id"))
_NEW_CONSUMER = insert(consumers).values(created_at=bindparam("p_now")).returning(consumers.c.id)
_NEW_IDENTITY = insert(identities).values(
    channel=bindparam("p_channel"), external_id=bindparam("p_external_id"),
    consumer_id=bindparam("p_consumer"), language=bindparam("p_language"), reachable=True,
    last_inbound_at=bindparam("p_now"), created_at=bindparam("p_now"),
).returning(identities.c.id)
# A consumer's chats, most recently used first (every notice to a consumer).
_OF_CONSUMER = (select(*IDENTITY_COLUMNS).where(identities.c.consumer_id == bindparam("p_consumer"))
                .order_by(identities.c.last_inbound_at.desc()))
_TOUCH = (update(identities).where(identities.c.id == bindparam("p_id"))
          .values(last_inbound_at=bindparam("p_now"), reachable=True))
_SET_LANGUAGE = (update(identities).where(identities.c.id == bindparam("p_id"))
                 .values(language=bindparam("p_language")))


class IdentityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def get(self, channel: str, external_id: str) -> IdentityRow | None:
        row = first(await self._run.rows(
            _IDENTITY, {"channel": channel, "external_id": external_id}))
        return None if row is None else identity_of(row)

    async def get_or_create(
        self, channel: str, external_id: str, now: datetime, language: str | None
    ) -> IdentityRow:
        found = await self.get(channel, external_id)
        return found or await self.create(channel, external_id, now, language)

    async def create(self, channel: str, external_id: str, now: datetime,
                     language: str | None) -> IdentityRow:
        """A new person on this channel: a consumer and their identity."""
        [(consumer_id,)] = await self._run.rows(_NEW_CONSUMER, {"p_now": now})
        [(ident_id,)] = await self._run.rows(_NEW_IDENTITY, {
            "p_channel": channel, "p_external_id": external_id, "p_consumer": consumer_id,
            "p_language": language, "p_now": now})
        return IdentityRow(int(ident_id), channel, external_id, int(consumer_id), language, True,
                           now)

    async def seen(self, identity: IdentityRow, now: datetime) -> None:
        """Record an inbound message (the WeChat 48-hour window counts from it); skipped
        when nothing changed within the last minute, to spare a write on every turn."""
        fresh = (identity.last_inbound_at is not None
                 and now - identity.last_inbound_at < timedelta(minutes=1))
        if fresh and identity.reachable:
            return
        await self.touch(identity.id, now, None)

    async def set_language(self, identity_id: int, language: str) -> None:
        await self._run.run(_SET_LANGUAGE, {"p_id": identity_id, "p_language": language})

    async def touch(self, identity_id: int, now: datetime, language: str | None) -> None:
        await self._run.run(_TOUCH, {"p_id": identity_id, "p_now": now})
        if language:
            await self.set_language(identity_id, language)

    async def of_consumer(self, consumer_id: int) -> list[IdentityRow]:
        rows = await self._run.rows(_OF_CONSUMER, {"p_consumer": consumer_id})
        return [identity_of(r) for r in rows]


_CONSUMER = select(consumers.c.id, consumers.c.name, consumers.c.phone, consumers.c.address
                   ).where(consumers.c.id == bindparam("p_id"))
_CONTACT = update(consumers).where(consumers.c.id == bindparam("p_id")).values(
    name=bindparam("p_name"), phone=bindparam("p_phone"), address=bindparam("p_address"))
_ENTERPRISE = select(enterprises).where(enterprises.c.id == bindparam("p_id"))


class ConsumerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def get(self, consumer_id: int) -> ConsumerRow:
        [row] = await self._run.rows(_CONSUMER, {"p_id": consumer_id})
        return ConsumerRow(int(row[0]), row[1], row[2], row[3])

    async def update_contact(self, consumer_id: int, name: str, phone: str, address: str) -> None:
        await self._run.run(_CONTACT, {"p_id": consumer_id, "p_name": name, "p_phone": phone,
                                       "p_address": address})


class EnterpriseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def upsert(self, row: EnterpriseRow, now: datetime) -> bool:
        """Insert or update; True when the enterprise was new."""
        values = {
            "name": row.name, "aliases": list(row.aliases), "uscc": row.uscc,
            "district": row.district, "address": row.address,
            "categories": list(row.categories), "enrolled": True,
        }
        before = (await self._conn.execute(
            select(enterprises.c.district).where(enterprises.c.id == row.id))).first()
        if before is not None:
            await self._conn.execute(
                update(enterprises).where(enterprises.c.id == row.id).values(**values))
            if before[0] != row.district:  # its complaints move district (issue 7 rollups)
                await mark_enterprise_changed(self._conn, row.id)
            return False
        await self._conn.execute(insert(enterprises).values(id=row.id, created_at=now, **values))
        return True

    async def get(self, enterprise_id: str) -> EnterpriseRow | None:
        rows = await self._run.records(_ENTERPRISE, {"p_id": enterprise_id})
        return _enterprise(rows[0]) if rows else None

    async def all_enrolled(self) -> list[EnterpriseRow]:
        rows = await self._conn.execute(
            select(enterprises).where(enterprises.c.enrolled.is_(True)).order_by(enterprises.c.id)
        )
        return [_enterprise(r) for r in rows.mappings()]


def _enterprise(row: Any) -> EnterpriseRow:
    return EnterpriseRow(
        id=row["id"], name=row["name"], aliases=tuple(row["aliases"] or ()), uscc=row["uscc"],
        district=row["district"], address=row["address"],
        categories=tuple(row["categories"] or ()),
    )
