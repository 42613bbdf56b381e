"""The web chat: the page at ``/``, a JSON endpoint to send, an SSE stream to receive.

Identity is a random session id in an HttpOnly cookie; the stream reads the outbox feed
of that session, so a reload (``Last-Event-ID``) resumes without losing a message.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from datetime import UTC, datetime
from importlib import resources

from aiohttp import web

from bot.adapters.web.hub import WebHub
from bot.core.errors import TemporarilyUnavailable
from bot.core.media import MediaRejected, read_stored, store_image
from bot.core.messages import Channel, InboundMessage, MessageKind
from bot.core.ports import Dispatch, FeedItem, MessageFeed

COOKIE = "odr_sid"
_SID = re.compile(r"^[A-Za-z0-9_-]{32}$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT_BODY = 64 * 1024
PING_SECONDS = 15.0
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; connect-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STATIC = resources.files("bot.adapters.web") / "static"


class WebChat:
    def __init__(self, dispatch: Dispatch, feed: MessageFeed, hub: WebHub, media_dir: str,
                 secure_cookies: bool = False) -> None:
        self._dispatch = dispatch
        self._feed = feed
        self._hub = hub
        self._media_dir = media_dir
        self._secure = secure_cookies

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.page),
            web.get("/static/chat/{name}", self.static),
            web.post("/chat/send", self.send),
            web.post("/chat/upload", self.upload),
            web.get("/chat/events", self.events),
            web.get(r"/chat/photo/{id:\d{1,12}}", self.photo),
        ]

    async def page(self, request: web.Request) -> web.StreamResponse:
        html = (STATIC / "chat.html").read_text(encoding="utf-8")
        response = web.Response(text=html, content_type="text/html", headers=SECURITY_HEADERS)
        if _session(request) is None:
            response.set_cookie(COOKIE, secrets.token_urlsafe(24), httponly=True,
                                samesite="Strict", secure=self._secure, max_age=180 * 86400)
        return response

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        types = {"chat.js": "application/javascript", "chat.css": "text/css"}
        if name not in types:
            raise web.HTTPNotFound()
        return web.Response(text=(STATIC / name).read_text(encoding="utf-8"),
                            content_type=types[name], headers={"Cache-Control": "no-cache"})

    async def send(self, request: web.Request) -> web.Response:
        sid = _require_session(request)
        _same_origin(request)
        if request.content_length is not None and request.content_length > MAX_TEXT_BODY:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_TEXT_BODY,
                                                actual_size=request.content_length)
        try:
            body = json.loads(await request.content.read(MAX_TEXT_BODY + 1))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _error(400, "bad_json", "body must be JSON {\"id\", \"text\"}")
        if not isinstance(body, dict):
            return _error(400, "bad_json", "body must be a JSON object")
        client_id, text = body.get("id"), body.get("text")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            return _error(400, "bad_id", "id must be 1-64 letters, digits, - or _")
        if body.get("event") == "subscribe":
            return await self._run(InboundMessage(
                channel=Channel.WEB, user_id=sid, message_id=f"{sid}:{client_id}", text="",
                received_at=datetime.now(UTC), kind=MessageKind.EVENT, event="subscribe",
                language=_language(request)))
        if not isinstance(text, str):
            return _error(400, "bad_text", "text must be a string")
        message = InboundMessage(
            channel=Channel.WEB, user_id=sid, message_id=f"{sid}:{client_id}", text=text,
            received_at=datetime.now(UTC), language=_language(request),
        )
        return await self._run(message)

    async def upload(self, request: web.Request) -> web.Response:
        sid = _require_session(request)
        _same_origin(request)
        client_id = request.query.get("id", "")
        if not _CLIENT_ID.match(client_id):
            return _error(400, "bad_id", "id must be 1-64 letters, digits, - or _")
        data = await request.read()
        try:
            media = await asyncio.to_thread(store_image, self._media_dir, "web", data)
        except MediaRejected as exc:
            return _error(415, "bad_image", str(exc))
        message = InboundMessage(
            channel=Channel.WEB, user_id=sid, message_id=f"{sid}:{client_id}", text="",
            received_at=datetime.now(UTC), kind=MessageKind.IMAGE, media=media,
            language=_language(request),
        )
        return await self._run(message)

    async def photo(self, request: web.Request) -> web.Response:
        """A photo relayed to this session (a clerk's), shown inline in the chat; the file
        comes from the session's own outbox row, never from the URL."""
        sid = _require_session(request)
        media = await self._feed.photo(sid, int(request.match_info["id"]))
        if media is None:
            raise web.HTTPNotFound()
        try:
            data = await asyncio.to_thread(read_stored, media, self._media_dir)
        except OSError as exc:  # erased under the retention rule
            raise web.HTTPNotFound() from exc
        return web.Response(body=data, content_type=media.content_type, headers={
            "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"})

    async def _run(self, message: InboundMessage) -> web.Response:
        try:
            outcome = await self._dispatch(message)
        except TemporarilyUnavailable:
            return _error(503, "unavailable", "please retry", headers={"Retry-After": "2"})
        return web.json_response({"ok": True, "duplicate": outcome.duplicate,
                                  "replies": list(outcome.outbox_ids)})

    async def events(self, request: web.Request) -> web.StreamResponse:
        sid = _require_session(request)
        raw_after = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
        after = int(raw_after) if raw_after.isascii() and raw_after.isdigit() else 0
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        })
        await response.prepare(request)
        wake = self._hub.subscribe(sid)
        try:
            while not self._hub.closed:
                wake.clear()
                for item in await self._feed.after(sid, after):
                    await response.write(_event(item))
                    after = item.id
                try:
                    await asyncio.wait_for(wake.wait(), timeout=PING_SECONDS)
                except TimeoutError:
                    await response.write(b": ping\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._hub.unsubscribe(sid, wake)
        return response


def _event(item: FeedItem) -> bytes:
    """One SSE event: the text, the choices, and the address of a photo to show inline."""
    message = item.message
    body: dict[str, object] = {"text": message.text,
                               "choices": [[c.key, c.label] for c in message.choices]}
    if message.media is not None:
        body["photo"] = f"/chat/photo/{item.id}"
    data = json.dumps(body, ensure_ascii=False)
    return f"id: {item.id}\ndata: {data}\n\n".encode()


def _session(request: web.Request) -> str | None:
    sid = request.cookies.get(COOKIE)
    return sid if sid and _SID.match(sid) else None


def _require_session(request: web.Request) -> str:
    sid = _session(request)
    if sid is None:
        raise web.HTTPUnauthorized(text="open the chat page first (no session cookie)")
    return sid


def _same_origin(request: web.Request) -> None:
    """CSRF: a browser sends Origin on cross-site POSTs; refuse one that is not us."""
    origin = request.headers.get("Origin")
    if origin is not None and origin.split("://", 1)[-1] != request.host:
        raise web.HTTPForbidden(text="cross-origin request refused")


def _language(request: web.Request) -> str | None:
    header = request.headers.get("Accept-Language", "")
    return header.split(",")[0].strip()[:8] or None


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None
           ) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)
