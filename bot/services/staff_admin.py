"""Inviting enterprise staff: a one-time chat binding code and a one-time inbox login link."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.uow import UnitOfWork

INVITE_TTL = timedelta(hours=72)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class UnknownEnterprise(ValueError):
    pass


@dataclass(frozen=True)
class Invitation:
    staff_id: int
    code: str
    login_token: str
    expires_at: datetime

    def login_url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/inbox/login?token={self.login_token}"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


async def invite_staff(uow: UnitOfWork, enterprise_id: str, role: str, now: datetime,
                       name: str = "", staff_id: int | None = None) -> Invitation:
    """A new staff member, or — with ``staff_id`` — new codes for an existing one (to bind
    another chat: one person may use WeChat and Telegram)."""
    if role not in ("agent", "admin"):
        raise ValueError(f"role must be agent or admin, not {role!r}")
    if await uow.enterprises.get(enterprise_id) is None:
        raise UnknownEnterprise(enterprise_id)
    if staff_id is not None:
        member = await uow.staff.get(staff_id)
        if member is None or member.enterprise_id != enterprise_id:
            raise UnknownEnterprise(f"{enterprise_id} has no staff member {staff_id}")
    else:
        staff_id = await uow.staff.create(enterprise_id, name, role, now)
    code, token = new_code(), secrets.token_urlsafe(32)
    expires = now + INVITE_TTL
    await uow.staff.add_invite(staff_id, "bind", code, expires, now)
    await uow.staff.add_invite(staff_id, "login", token, expires, now)
    return Invitation(staff_id, code, token, expires)
