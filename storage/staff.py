"""Enterprise staff: members, chat bindings, one-time codes, inbox sessions, API keys,
webhooks. Secrets are stored as sha256 hashes only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.runner import runner_for
from storage.tables import (
    api_keys,
    identities,
    login_failures,
    staff,
    staff_bindings,
    staff_invites,
    staff_sessions,
    webhooks,
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class StaffRow:
    id: int
    enterprise_id: str
    name: str
    role: str
    active: bool
    password_hash: str | None = None


@dataclass(frozen=True)
class SessionRow:
    staff: StaffRow
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class BoundIdentity:
    channel: str
    external_id: str
    reachable: bool
    language: str | None = None


@dataclass(frozen=True)
class WebhookRow:
    enterprise_id: str
    url: str
    secret: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class ApiKeyRow:
    """A key as the operator lists it: never the key, only its id and when it was made."""

    id: int
    enterprise_id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class StaffRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._run = runner_for(conn)

    async def create(self, enterprise_id: str, name: str, role: str, now: datetime) -> int:
        result = await self._conn.execute(
            insert(staff).values(enterprise_id=enterprise_id, name=name, role=role, active=True,
                                 created_at=now).returning(staff.c.id))
        return int(result.scalar_one())

    async def get(self, staff_id: int) -> StaffRow | None:
        row = (await self._conn.execute(select(staff).where(staff.c.id == staff_id))
               ).mappings().first()
        return None if row is None else _staff(row)

    async def of_enterprise(self, enterprise_id: str) -> list[StaffRow]:
        rows = await self._conn.execute(
            select(staff).where(staff.c.enterprise_id == enterprise_id, staff.c.active.is_(True))
            .order_by(staff.c.id))
        return [_staff(r) for r in rows.mappings()]

    async def set_password(self, staff_id: int, password_hash: str) -> None:
        await self._conn.execute(
            update(staff).where(staff.c.id == staff_id).values(password_hash=password_hash))

    # --- one-time codes ----------------------------------------------------------------

    async def add_invite(self, staff_id: int, kind: str, code: str, expires_at: datetime,
                         now: datetime) -> None:
        await self._conn.execute(insert(staff_invites).values(
            staff_id=staff_id, kind=kind, code_hash=digest(code), expires_at=expires_at,
            created_at=now))

    async def use_invite(self, kind: str, code: str, now: datetime) -> StaffRow | None:
        """Spend a code once: the conditional update makes a second use find nothing."""
        row = (await self._conn.execute(
            select(staff_invites.c.id, staff_invites.c.staff_id).where(
                staff_invites.c.kind == kind, staff_invites.c.code_hash == digest(code),
                staff_invites.c.used_at.is_(None), staff_invites.c.expires_at > now))).first()
        if row is None:
            return None
        spent = await self._conn.execute(
            update(staff_invites)
            .where(staff_invites.c.id == row[0], staff_invites.c.used_at.is_(None))
            .values(used_at=now))
        if spent.rowcount != 1:
            return None
        member = await self.get(int(row[1]))
        return member if member is not None and member.active else None

    # --- chat bindings -------------------------------------------------------------------

    async def bind(self, identity_id: int, staff_id: int, now: datetime) -> None:
        await self._conn.execute(delete(staff_bindings).where(
            staff_bindings.c.identity_id == identity_id))
        await self._conn.execute(insert(staff_bindings).values(
            identity_id=identity_id, staff_id=staff_id, bound_at=now))

    async def unbind(self, identity_id: int) -> bool:
        result = await self._conn.execute(delete(staff_bindings).where(
            staff_bindings.c.identity_id == identity_id))
        return bool(result.rowcount)

    async def of_identity(self, identity_id: int) -> StaffRow | None:
        rows = await self._run.records(_OF_IDENTITY, {"p_identity": identity_id})
        return _staff(rows[0]) if rows else None

    async def bound_identities(self, enterprise_id: str) -> list[BoundIdentity]:
        rows = await self._run.rows(_BOUND, {"p_enterprise": enterprise_id})
        return [BoundIdentity(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    async def bound_identities_of_staff(self, staff_id: int) -> list[BoundIdentity]:
        rows = await self._conn.execute(
            select(identities.c.channel, identities.c.external_id, identities.c.reachable,
                   identities.c.language)
            .join(staff_bindings, staff_bindings.c.identity_id == identities.c.id)
            .where(staff_bindings.c.staff_id == staff_id).order_by(identities.c.id))
        return [BoundIdentity(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    # --- web inbox sessions --------------------------------------------------------------

    async def add_session(self, staff_id: int, token: str, csrf: str, now: datetime,
                          expires_at: datetime) -> None:
        await self._conn.execute(insert(staff_sessions).values(
            token_hash=digest(token), staff_id=staff_id, csrf=csrf, created_at=now,
            expires_at=expires_at))

    async def session(self, token: str, now: datetime) -> SessionRow | None:
        row = (await self._conn.execute(
            select(staff, staff_sessions.c.csrf, staff_sessions.c.expires_at)
            .join(staff_sessions, staff_sessions.c.staff_id == staff.c.id)
            .where(staff_sessions.c.token_hash == digest(token),
                   staff_sessions.c.expires_at > now, staff.c.active.is_(True))
        )).mappings().first()
        if row is None:
            return None
        return SessionRow(_staff(row), row["csrf"], row["expires_at"])

    async def end_session(self, token: str) -> None:
        await self._conn.execute(delete(staff_sessions).where(
            staff_sessions.c.token_hash == digest(token)))

    async def sign_in_failures(self, client: str, since: datetime) -> int:
        return int((await self._conn.execute(
            select(func.count()).select_from(login_failures).where(
                login_failures.c.client == client, login_failures.c.failed_at > since))
        ).scalar_one())

    async def add_sign_in_failure(self, client: str, now: datetime, forget_before: datetime
                                  ) -> None:
        """Record one failure, and forget every failure too old to count any more."""
        await self._conn.execute(delete(login_failures).where(
            login_failures.c.failed_at < forget_before))
        await self._conn.execute(insert(login_failures).values(client=client[:160],
                                                               failed_at=now))

    # --- enterprise systems ----------------------------------------------------------------

    async def add_api_key(self, enterprise_id: str, key: str, label: str, now: datetime) -> int:
        """The new key's id (what ``odrbot api-keys revoke`` takes)."""
        result = await self._conn.execute(insert(api_keys).values(
            enterprise_id=enterprise_id, key_hash=digest(key), label=label, created_at=now))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def api_keys(self, enterprise_id: str | None = None, key_id: int | None = None
                       ) -> list[ApiKeyRow]:
        query = select(api_keys).order_by(api_keys.c.enterprise_id, api_keys.c.id)
        if enterprise_id is not None:
            query = query.where(api_keys.c.enterprise_id == enterprise_id)
        if key_id is not None:
            query = query.where(api_keys.c.id == key_id)
        rows = (await self._conn.execute(query)).mappings()
        return [ApiKeyRow(int(r["id"]), r["enterprise_id"], r["label"], r["created_at"],
                          r["revoked_at"]) for r in rows]

    async def revoke_api_key(self, key_id: int, now: datetime) -> ApiKeyRow | None:
        """Revoke a key that is still valid (the API refuses it from the next request on:
        every request looks its key up); None when there is no such valid key."""
        revoked = await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now))
        if revoked.rowcount != 1:
            return None
        [row] = await self.api_keys(key_id=key_id)
        return row

    async def enterprise_of_key(self, key: str) -> str | None:
        row = (await self._conn.execute(select(api_keys.c.enterprise_id).where(
            api_keys.c.key_hash == digest(key), api_keys.c.revoked_at.is_(None)))).first()
        return None if row is None else str(row[0])

    async def set_webhook(self, enterprise_id: str, url: str, secret: str, now: datetime) -> None:
        await self._conn.execute(delete(webhooks).where(webhooks.c.enterprise_id == enterprise_id))
        await self._conn.execute(insert(webhooks).values(
            enterprise_id=enterprise_id, url=url, secret=secret, created_at=now))

    async def remove_webhook(self, enterprise_id: str) -> bool:
        removed = await self._conn.execute(
            delete(webhooks).where(webhooks.c.enterprise_id == enterprise_id))
        return removed.rowcount == 1

    async def all_webhooks(self) -> list[WebhookRow]:
        rows = (await self._conn.execute(select(webhooks).order_by(webhooks.c.enterprise_id))
                ).mappings()
        return [WebhookRow(r["enterprise_id"], r["url"], r["secret"], r["created_at"])
                for r in rows]

    async def webhook(self, enterprise_id: str) -> WebhookRow | None:
        rows = await self._run.rows(_WEBHOOK, {"p_enterprise": enterprise_id})
        return WebhookRow(*rows[0]) if rows else None


# The staff member a chat is bound to: asked on every turn of a clerk.
_OF_IDENTITY = (select(staff).join(staff_bindings, staff_bindings.c.staff_id == staff.c.id)
                .where(staff_bindings.c.identity_id == bindparam("p_identity"),
                       staff.c.active.is_(True)))
# Asked on every new case and every change of one (who is told, is there a webhook).
_BOUND = (select(identities.c.channel, identities.c.external_id, identities.c.reachable,
                 identities.c.language)
          .join(staff_bindings, staff_bindings.c.identity_id == identities.c.id)
          .join(staff, staff.c.id == staff_bindings.c.staff_id)
          .where(staff.c.enterprise_id == bindparam("p_enterprise"), staff.c.active.is_(True))
          .order_by(identities.c.id))
_WEBHOOK = select(webhooks.c.enterprise_id, webhooks.c.url, webhooks.c.secret).where(
    webhooks.c.enterprise_id == bindparam("p_enterprise"))


def _staff(row: Any) -> StaffRow:
    return StaffRow(int(row["id"]), row["enterprise_id"], row["name"], row["role"],
                    bool(row["active"]), row["password_hash"])
