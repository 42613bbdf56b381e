"""The enterprise web inbox at ``/inbox``: the case list, one case with its thread and the
actions, evidence photos, live updates (SSE) and the statistics page.

Authorization is everywhere: every handler starts from the signed-in staff member, the
backend only ever looks at that member's enterprise, and a case of another enterprise
answers exactly like an unknown one (404).
"""

from __future__ import annotations

import asyncio
import json
import logging
from importlib import resources
from typing import Any, Protocol
from urllib.parse import urlencode

from aiohttp import web

from bot.adapters.inbox.auth import Auth, FileTooLarge, FormTooLarge, read_form, read_upload
from bot.adapters.inbox.ports import (
    STAFF_ACTIONS,
    CaseQuery,
    InboxBackend,
    MediaFile,
    Refused,
    Session,
)
from bot.adapters.inbox.render import PHOTO_LIMIT_MB, Renderer, language
from bot.adapters.inbox.stats_page import csv_response, period, weekly_chart
from bot.adapters.inbox.texts import text
from bot.core.media import MAX_IMAGE_BYTES, MediaRejected, store_image

log = logging.getLogger(__name__)
PER_PAGE = 50
PING_SECONDS = 15.0
STATIC = resources.files("bot.adapters.inbox") / "static"
_STATIC_TYPES = {"inbox.js": "application/javascript", "inbox.css": "text/css"}
STATUSES = ("submitted", "accepted", "negotiating", "proposed", "settled", "not_settled",
            "overdue", "escalated", "withdrawn", "closed")
_STATUS_OF = {"not_found": 404, "illegal": 409, "empty": 422, "too_long": 413,
              "unavailable": 503, "bad_photo": 415, "photo_too_large": 413}


class Wakeup(Protocol):
    """Wakes the event streams of an enterprise when its inbox feed has new rows."""

    def subscribe(self, recipient: str) -> asyncio.Event: ...

    def unsubscribe(self, recipient: str, event: asyncio.Event) -> None: ...


class Inbox:
    def __init__(self, backend: InboxBackend, renderer: Renderer, hub: Wakeup,
                 media_dir: str, secure_cookies: bool = False,
                 categories: tuple[str, ...] = ()) -> None:
        self._backend = backend
        self._media_dir = media_dir
        self._render = renderer
        self._hub = hub
        self._categories = categories
        self.auth = Auth(backend, renderer, secure_cookies)
        self._streams: set[asyncio.Event] = set()
        self._stopping = False

    async def on_shutdown(self, app: web.Application) -> None:
        """End the open event streams at once, so a shutdown does not wait for them."""
        self._stopping = True
        for wake in self._streams:
            wake.set()

    def routes(self) -> list[web.RouteDef]:
        return [*self.auth.routes(),
                web.get("/inbox", self.cases),
                web.get("/inbox/", self.slash),
                web.get("/inbox/static/{name}", self.static),
                web.get("/inbox/events", self.events),
                web.get("/inbox/stats", self.stats),
                web.get("/inbox/stats.csv", self.stats_csv),
                web.get("/inbox/cases/{ref}", self.case),
                web.post("/inbox/cases/{ref}/{action}", self.act),
                web.get("/inbox/cases/{ref}/evidence/{index:\\d{1,4}}", self.evidence),
                web.get("/inbox/cases/{ref}/thread/{index:\\d{1,5}}/photo", self.photo)]

    async def slash(self, request: web.Request) -> web.Response:
        raise web.HTTPSeeOther("/inbox")

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _STATIC_TYPES:
            raise web.HTTPNotFound()
        return web.Response(text=(STATIC / name).read_text(encoding="utf-8"),
                            content_type=_STATIC_TYPES[name],
                            headers={"Cache-Control": "no-cache",
                                     "X-Content-Type-Options": "nosniff"})

    # --- the list -------------------------------------------------------------------------

    async def cases(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        query = _query(request)
        rows = await self._backend.cases(session.staff, query, (query.page - 1) * PER_PAGE,
                                         PER_PAGE + 1)
        context: dict[str, Any] = {"session": session, "rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE,
                   "filters": query, "categories": self._categories, "statuses": STATUSES,
                   "page_url": lambda page: _page_url(query, page)}
        if request.query.get("part") == "rows":
            return self._render.page(request, "_rows_part.html", **context)
        latest = await self._backend.latest_event_id(session.staff.enterprise_id)
        return self._render.page(request, "list.html", latest=latest, **context)

    # --- one case -------------------------------------------------------------------------

    async def case(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        done = request.query.get("done", "")
        return await self._case_page(request, session, done=done if done in STAFF_ACTIONS else "")

    async def _case_page(self, request: web.Request, session: Session, status: int = 200,
                         **extra: object) -> web.Response:
        reference = request.match_info["ref"]
        try:
            detail = await self._backend.case(session.staff, reference)
        except Refused as refused:
            return self._error(request, session, refused)
        context: dict[str, Any] = {"session": session, "detail": detail, "case": detail.case,
                   "done": "", "error": "", "typed": "", "failed_action": "", **extra}
        if request.query.get("part") == "live":
            return self._render.page(request, "_case_part.html", **context)
        latest = await self._backend.latest_event_id(session.staff.enterprise_id)
        return self._render.page(request, "case.html", status=status, latest=latest, **context)

    async def act(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        action, reference = request.match_info["action"], request.match_info["ref"]
        if action not in STAFF_ACTIONS:
            raise web.HTTPNotFound()
        try:
            form, photo = await self._read_action(request, action)
        except FormTooLarge:
            return await self._refused(request, session, action, Refused("too_long", limit=self._render.max_text),
                                       "")
        except FileTooLarge:
            return await self._refused(request, session, action,
                                       Refused("photo_too_large", limit=PHOTO_LIMIT_MB), "")
        if not self.auth.csrf_ok(request, session, form):
            return self._error(request, session, Refused("forbidden"), 403)
        typed = form.get("text", "")
        try:
            media_path = await self._stored_photo(photo)
            await self._backend.act(session.staff, action, reference, typed, media_path)
        except Refused as refused:
            return await self._refused(request, session, action, refused, typed)
        if _wants_json(request):
            return web.json_response({"ok": True})
        raise web.HTTPSeeOther(f"/inbox/cases/{reference.upper()}?done={action}")

    async def _read_action(self, request: web.Request, action: str
                           ) -> tuple[dict[str, str], bytes]:
        """The form of an action; a reply may carry a photo (multipart, field ``photo``),
        with the web chat's limits (bot.core.media)."""
        if action == "reply" and request.content_type == "multipart/form-data":
            return await read_upload(request, "photo", MAX_IMAGE_BYTES)
        return await read_form(request), b""

    async def _stored_photo(self, data: bytes) -> str | None:
        """Stored like any evidence (by sha256 under the media directory); images only."""
        if not data:
            return None
        try:
            media = await asyncio.to_thread(store_image, self._media_dir, "inbox", data)
        except MediaRejected:
            raise Refused("bad_photo") from None
        return media.path

    async def _refused(self, request: web.Request, session: Session, action: str,
                       refused: Refused, typed: str) -> web.Response:
        status = _STATUS_OF.get(refused.reason, 400)
        message = self._message(request, refused, action)
        if _wants_json(request):
            return web.json_response({"error": {"code": refused.reason, "message": message}},
                                     status=status)
        if refused.reason == "not_found":
            return self._error(request, session, refused)
        return await self._case_page(request, session, status=status, error=message,
                                     typed=typed[:4000], failed_action=action)

    def _message(self, request: web.Request, refused: Refused, action: str) -> str:
        lang = language(request)
        if refused.reason == "illegal":
            return text(lang, "error.illegal", status=self._render.label(
                lang, "status", refused.status), verb=text(lang, f"verb.{action}"))
        if refused.reason == "too_long":
            return text(lang, "error.too_long", limit=refused.limit or self._render.max_text)
        known = ("not_found", "empty", "unavailable", "bad_photo", "photo_too_large")
        return text(lang, f"error.{refused.reason}" if refused.reason in known
                    else "error.forbidden", limit=refused.limit)

    def _error(self, request: web.Request, session: Session | None, refused: Refused,
               status: int | None = None) -> web.Response:
        code = status or _STATUS_OF.get(refused.reason, 400)
        message = self._message(request, refused, "")
        return self._render.page(request, "error.html", status=code, session=session,
                                 message=message)

    # --- photos ---------------------------------------------------------------------------

    async def evidence(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        found = await self._backend.evidence(session.staff, request.match_info["ref"],
                                             int(request.match_info["index"]))
        return await self._file(request, session, found)

    async def photo(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        found = await self._backend.thread_photo(session.staff, request.match_info["ref"],
                                                 int(request.match_info["index"]))
        return await self._file(request, session, found)

    async def _file(self, request: web.Request, session: Session, found: MediaFile | None
                    ) -> web.Response:
        if found is None:
            log.warning("inbox: staff %s denied photo %s", session.staff.id, request.path[:120])
            raise web.HTTPNotFound()
        try:
            body = await asyncio.to_thread(_read, found.path)
        except OSError:
            log.warning("inbox: photo file missing for %s", request.path[:120])
            raise web.HTTPNotFound() from None
        return web.Response(body=body, headers={
            "Content-Type": found.content_type, "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline"})

    # --- live updates -----------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        session = await self.auth.require(request)
        enterprise = session.staff.enterprise_id
        raw = request.headers.get("Last-Event-ID") or request.query.get("after") or ""
        after = int(raw) if raw.isascii() and raw.isdigit() else await self._backend.latest_event_id(enterprise)
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no"})
        await response.prepare(request)
        wake = self._hub.subscribe(enterprise)
        self._streams.add(wake)
        try:
            while not self._stopping:
                wake.clear()
                for event in await self._backend.events(enterprise, after):
                    data = json.dumps({"event": event.event, "reference": event.reference,
                                       "status": event.status})
                    await response.write(f"id: {event.id}\ndata: {data}\n\n".encode())
                    after = event.id
                try:
                    await asyncio.wait_for(wake.wait(), timeout=PING_SECONDS)
                except TimeoutError:
                    if await self.auth.current(request) is None:
                        break  # signed out or expired: the stream ends with the session
                    await response.write(b": ping\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(wake)
            self._hub.unsubscribe(enterprise, wake)
        return response

    # --- statistics ---------------------------------------------------------------------------

    async def stats(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        first, last = period(request, self._backend.today())
        view = await self._backend.statistics(session.staff, first, last)
        return self._render.page(request, "stats.html", session=session, stats=view,
                                 chart=weekly_chart(view.weekly))

    async def stats_csv(self, request: web.Request) -> web.Response:
        session = await self.auth.require(request)
        first, last = period(request, self._backend.today())
        rows = await self._backend.export(session.staff, first, last)
        name = f"odr-complaints-{first.isoformat()}-{last.isoformat()}.csv"
        return csv_response(rows, name)


def _query(request: web.Request) -> CaseQuery:
    page = request.query.get("page", "1")
    return CaseQuery(state=request.query.get("state", "open")[:20],
                     due=request.query.get("due", "")[:10],
                     category=request.query.get("category", "")[:8],
                     search=request.query.get("q", "").strip()[:32],
                     page=max(1, min(int(page), 10_000)) if page.isascii() and page.isdigit() else 1)


def _page_url(query: CaseQuery, page: int) -> str:
    return "/inbox?" + urlencode({"state": query.state, "due": query.due,
                                  "category": query.category, "q": query.search, "page": page})


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()

