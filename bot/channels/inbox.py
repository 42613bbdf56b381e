"""Wiring of the web inbox (issue 6): storage and the CaseService behind the inbox's port.

:class:`SqlCaseDesk` is what staff on the web and enterprise systems on the API share:
an enterprise's cases, loaded and changed through the CaseService (which authorizes every
action), one unit of work per action, the relay woken after each commit.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot.adapters.inbox import ports
from bot.adapters.inbox.auth import SESSION_SECONDS
from bot.adapters.inbox.passwords import verify_password
from bot.adapters.inbox.render import Renderer
from bot.adapters.inbox.routes import Inbox
from bot.channels.inbox_views import case_filter, case_view, export, statistics
from bot.core.errors import TemporarilyUnavailable
from bot.core.media import MediaRejected, sniff_image
from bot.core.messages import Channel
from bot.domain.complaint import Case, ThreadMessage
from bot.domain.errors import CaseNotFound, EmptyText, TextTooLong
from bot.domain.states import IllegalTransition
from bot.services.cases import MAX_TEXT, CaseService, StaffActor
from bot.services.feed import OutboxFeed
from bot.services.timing import Timing
from handlers.labels import CATEGORY_LABELS, CHANNEL_LABELS, DEMAND_LABELS, NATURE_LABELS
from storage.cases import CaseFilter
from storage.stats import CHINA
from storage.tables import outbox
from storage.uow import Database
from storage.uow import UnitOfWork as Uow

_Act = Callable[[CaseService, StaffActor, str, str, str | None], Awaitable[Case]]
ACTIONS: dict[str, _Act] = {
    "accept": lambda s, a, ref, text, photo: s.accept(a, ref),
    "reply": lambda s, a, ref, text, photo: s.reply(a, ref, text, media_path=photo),
    "propose": lambda s, a, ref, text, photo: s.propose(a, ref, text),
    "refuse": lambda s, a, ref, text, photo: s.refuse(a, ref, text),
    "settle": lambda s, a, ref, text, photo: s.settle(a, ref, text),
}
"""Each staff action; a photo (a stored file's path) goes only with a reply."""
REFUSALS = (CaseNotFound, IllegalTransition, EmptyText, TextTooLong, TemporarilyUnavailable)


class SqlCaseDesk:
    def __init__(self, db: Database, clock: Callable[[], datetime], wake: Callable[[], None],
                 media_dir: str, timing: Timing) -> None:
        self.db = db
        self.clock = clock
        self._wake = wake
        self._timing = timing
        self._media = Path(media_dir).resolve()

    def today(self) -> date:
        return self.clock().astimezone(CHINA).date()

    def _service(self, uow: Uow) -> CaseService:
        return CaseService(uow, self.clock(), self._timing)

    async def find(self, enterprise_id: str, where: CaseFilter) -> list[Case]:
        async with self.db.unit_of_work() as uow:
            return await uow.cases.of_enterprise(enterprise_id, where)

    async def load(self, actor: StaffActor, reference: str) -> tuple[Case, list[ThreadMessage]]:
        """Raises CaseNotFound for unknown and foreign cases alike (and logs the denial)."""
        async with self.db.unit_of_work() as uow:
            case = await self._service(uow).for_staff(actor, reference)
            return case, await uow.cases.thread(case.id)

    async def act(self, actor: StaffActor, action: str, reference: str, text: str,
                  media_path: str | None = None) -> Case:
        """Run one staff action in its own transaction; raises one of :data:`REFUSALS`."""
        try:
            async with self.db.unit_of_work() as uow:
                case = await ACTIONS[action](self._service(uow), actor, reference, text,
                                             media_path)
                await uow.commit()
        except DBAPIError as exc:
            raise TemporarilyUnavailable(str(exc.orig)[:200]) from exc
        self._wake()
        return case

    async def media(self, actor: StaffActor, reference: str, kind: str, index: int
                    ) -> ports.MediaFile | None:
        """An evidence photo (``kind`` evidence) or a photo in the thread, by position;
        the path comes from the database, never from the URL, and must lie in media_dir."""
        async with self.db.unit_of_work() as uow:
            try:
                case = await self._service(uow).for_staff(actor, reference)
            except CaseNotFound:
                return None
            if kind == "evidence":
                paths = [p for p, _ in await uow.cases.evidence_paths(case.id)]
            else:
                paths = [m.media_path or "" for m in await uow.cases.thread(case.id)]
        raw = paths[index] if 0 <= index < len(paths) else ""
        if not raw:
            return None
        try:
            head = await asyncio.to_thread(_head, raw, self._media)
            return ports.MediaFile(raw, sniff_image(head)[0])
        except (OSError, MediaRejected):
            return None


class SqlInboxBackend:
    """:class:`bot.adapters.inbox.ports.InboxBackend` on storage."""

    def __init__(self, desk: SqlCaseDesk) -> None:
        self._desk = desk
        self._db = desk.db
        self._feed = OutboxFeed(desk.db, Channel.INBOX)

    def today(self) -> date:
        return self._desk.today()

    # --- sessions -------------------------------------------------------------------------

    async def login_with_token(self, token: str) -> str | None:
        async with self._db.unit_of_work() as uow:
            member = await uow.staff.use_invite("login", token, self._desk.clock())
            if member is None:
                return None
            cookie = await self._new_session(uow, member.id)
            await uow.commit()
        return cookie

    async def sign_in_failures(self, client: str, window: timedelta) -> int:
        async with self._db.unit_of_work() as uow:
            return await uow.staff.sign_in_failures(client, self._desk.clock() - window)

    async def sign_in_failed(self, client: str, window: timedelta) -> None:
        now = self._desk.clock()
        async with self._db.unit_of_work() as uow:
            await uow.staff.add_sign_in_failure(client, now, now - window)
            await uow.commit()

    async def login_with_password(self, staff_id: int, password: str) -> str | None:
        async with self._db.unit_of_work() as uow:
            member = await uow.staff.get(staff_id)
        stored = member.password_hash if member is not None and member.active else None
        if not await asyncio.to_thread(verify_password, password, stored) or member is None:
            return None
        async with self._db.unit_of_work() as uow:
            cookie = await self._new_session(uow, member.id)
            await uow.commit()
        return cookie

    async def _new_session(self, uow: Uow, staff_id: int) -> str:
        now = self._desk.clock()
        cookie = secrets.token_urlsafe(32)
        await uow.staff.add_session(staff_id, cookie, secrets.token_urlsafe(24), now,
                                    now + timedelta(seconds=SESSION_SECONDS))
        return cookie

    async def session(self, token: str) -> ports.Session | None:
        async with self._db.unit_of_work() as uow:
            row = await uow.staff.session(token, self._desk.clock())
            if row is None:
                return None
            enterprise = await uow.enterprises.get(row.staff.enterprise_id)
        member = row.staff
        name = enterprise.name if enterprise is not None else member.enterprise_id
        return ports.Session(ports.Staff(member.id, member.enterprise_id, name, member.name,
                                         member.role), row.csrf)

    async def logout(self, token: str) -> None:
        async with self._db.unit_of_work() as uow:
            await uow.staff.end_session(token)
            await uow.commit()

    # --- cases ------------------------------------------------------------------------------

    async def cases(self, staff: ports.Staff, query: ports.CaseQuery, offset: int, limit: int
                    ) -> list[ports.CaseView]:
        found = await self._desk.find(staff.enterprise_id, case_filter(
            query, self.today(), offset, limit))
        return [case_view(c, self.today()) for c in found]

    async def case(self, staff: ports.Staff, reference: str) -> ports.CaseDetail:
        try:
            case, thread = await self._desk.load(_actor(staff), reference)
        except CaseNotFound:
            raise ports.Refused("not_found") from None
        return ports.CaseDetail(case_view(case, self.today()), tuple(
            ports.ThreadEntry(m.sender, m.channel, m.kind, m.text, m.at, bool(m.media_path))
            for m in thread))

    async def act(self, staff: ports.Staff, action: str, reference: str, text: str,
                  media_path: str | None = None) -> None:
        try:
            await self._desk.act(_actor(staff), action, reference, text, media_path)
        except REFUSALS as exc:
            raise refusal(exc) from None

    async def evidence(self, staff: ports.Staff, reference: str, index: int
                       ) -> ports.MediaFile | None:
        return await self._desk.media(_actor(staff), reference, "evidence", index)

    async def thread_photo(self, staff: ports.Staff, reference: str, index: int
                           ) -> ports.MediaFile | None:
        return await self._desk.media(_actor(staff), reference, "thread", index)

    # --- live updates ------------------------------------------------------------------------

    async def latest_event_id(self, enterprise_id: str) -> int:
        async with self._db.engine.connect() as conn:
            latest = (await conn.execute(
                select(func.max(outbox.c.id)).where(outbox.c.channel == Channel.INBOX.value,
                                                    outbox.c.recipient == enterprise_id))
            ).scalar_one_or_none()
        return int(latest or 0)

    async def events(self, enterprise_id: str, after: int) -> list[ports.LiveEvent]:
        found = []
        for item in await self._feed.after(enterprise_id, after):
            data = dict(item.message.data or {})
            complaint = data.get("complaint")
            complaint = complaint if isinstance(complaint, dict) else {}
            found.append(ports.LiveEvent(item.id, str(data.get("event", "")),
                                         str(complaint.get("reference", "")),
                                         str(complaint.get("status", ""))))
        return found

    # --- statistics ---------------------------------------------------------------------------

    async def statistics(self, staff: ports.Staff, first: date, last: date) -> ports.StatsView:
        return await statistics(self._db, staff.enterprise_id, first, last, self.today())

    async def export(self, staff: ports.Staff, first: date, last: date) -> list[list[str]]:
        return await export(self._db, staff.enterprise_id, first, last, self.today())


def _actor(staff: ports.Staff) -> StaffActor:
    return StaffActor(staff.id, staff.enterprise_id, staff.name, "inbox")


def _head(path: str, media_root: Path) -> bytes:
    if not Path(path).resolve().is_relative_to(media_root):
        raise OSError(f"{path} lies outside the media directory")
    with open(path, "rb") as handle:
        return handle.read(16)


def refusal(exc: Exception) -> ports.Refused:
    if isinstance(exc, IllegalTransition):
        return ports.Refused("illegal", status=exc.status.value)
    if isinstance(exc, TextTooLong):
        return ports.Refused("too_long", limit=exc.limit)
    if isinstance(exc, EmptyText):
        return ports.Refused("empty")
    if isinstance(exc, TemporarilyUnavailable):
        return ports.Refused("unavailable")
    return ports.Refused("not_found")


def install(app: web.Application) -> SqlCaseDesk:
    from bot.app import COMPONENTS

    parts = app[COMPONENTS]
    desk = SqlCaseDesk(parts.db, parts.clock, parts.relay.wake, parts.config.media.dir,
                       parts.timing)
    labels = ports.Labels(CATEGORY_LABELS, NATURE_LABELS, DEMAND_LABELS, CHANNEL_LABELS)
    inbox = Inbox(SqlInboxBackend(desk), Renderer(labels, MAX_TEXT), parts.inbox_hub,
                  parts.config.media.dir,
                  secure_cookies=parts.config.base_url.startswith("https://"),
                  categories=tuple(CATEGORY_LABELS))
    app.add_routes(inbox.routes())
    app.on_shutdown.append(inbox.on_shutdown)
    return desk
