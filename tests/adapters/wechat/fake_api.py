"""A fake WeChat official-account API on loopback, speaking the real wire format.

Serves ``/cgi-bin/token``, ``/cgi-bin/stable_token``, ``/cgi-bin/message/custom/send``,
``/cgi-bin/message/template/send``, ``/cgi-bin/menu/create``, ``/cgi-bin/media/get`` and
``/cgi-bin/media/upload`` (multipart, the file in the field ``media``, as WeChat takes it;
an image message must name a media_id this fake issued).
Like WeChat, a new token invalidates the previous one (no overlap here), a stale token
gets ``40001``, and error codes can be queued per path to be answered once each.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

APP_ID = "wx5f3c2b1a0d9e8f76"
APP_SECRET = "0123456789abcdef0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Sent:
    path: str
    touser: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text", {}).get("content", ""))

    @property
    def media_id(self) -> str:
        return str(self.body.get("image", {}).get("media_id", ""))


@dataclass(frozen=True)
class Upload:
    media_id: str
    kind: str
    filename: str
    content_type: str
    data: bytes


class FakeWechatApi:
    def __init__(self) -> None:
        self.token_fetches = 0
        self.forced_fetches = 0
        self.token_gate: asyncio.Event | None = None
        """When set to an unset event, token requests wait for it (to line up a race)."""
        self.token_requested = asyncio.Event()
        self.failures: dict[str, list[int]] = {}
        self.sent: list[Sent] = []
        self.media: dict[str, bytes] = {"img-1": PNG}
        self.media_fetches = 0
        self.uploads: list[Upload] = []
        self.expired: set[str] = set()
        """Media ids this fake issued but no longer knows (WeChat keeps them 3 days)."""
        self._tokens: list[str] = []
        self._changed = asyncio.Condition()
        self.server: TestServer | None = None

    # --- test controls ------------------------------------------------------------------

    def fail(self, path: str, *codes: int) -> None:
        """Answer the next calls to ``path`` with these error codes, one each."""
        self.failures.setdefault(path, []).extend(codes)

    def revoke_tokens(self) -> None:
        """Every issued token becomes invalid (another party fetched one elsewhere)."""
        self._tokens.clear()

    def expire_media(self) -> None:
        """Every media id issued so far is past WeChat's 3 days: sending it gets 40007."""
        self.expired.update(u.media_id for u in self.uploads)

    def texts_to(self, openid: str) -> list[str]:
        return [s.text for s in self.sent if s.path.endswith("custom/send") and s.touser == openid
                and s.body.get("msgtype") == "text"]

    def images_to(self, openid: str) -> list[bytes]:
        """The files of the image messages sent to ``openid``, in order."""
        files = {u.media_id: u.data for u in self.uploads}
        return [files[s.media_id] for s in self.sent if s.path.endswith("custom/send")
                and s.touser == openid and s.body.get("msgtype") == "image"]

    def of(self, suffix: str) -> list[Sent]:
        return [s for s in self.sent if s.path.endswith(suffix)]

    async def wait_for(self, suffix: str, count: int) -> list[Sent]:
        """Until ``count`` calls to ``suffix`` arrived (the relay runs in the background);
        a generous bound so a bug fails the test instead of hanging it."""
        async with asyncio.timeout(10.0), self._changed:
            await self._changed.wait_for(lambda: len(self.of(suffix)) >= count)
        return self.of(suffix)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    # --- the server ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/cgi-bin/token", self._token),
            web.post("/cgi-bin/stable_token", self._stable_token),
            web.post("/cgi-bin/message/custom/send", self._recorded),
            web.post("/cgi-bin/message/template/send", self._recorded),
            web.post("/cgi-bin/menu/create", self._recorded),
            web.get("/cgi-bin/media/get", self._media),
            web.post("/cgi-bin/media/upload", self._upload),
        ])
        return app

    async def start(self) -> FakeWechatApi:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _issue(self, appid: str, secret: str, reuse: bool) -> web.Response:
        self.token_requested.set()
        if self.token_gate is not None:
            await self.token_gate.wait()
        if (appid, secret) != (APP_ID, APP_SECRET):
            return _json({"errcode": 40013, "errmsg": "invalid appid"})
        self.token_fetches += 1
        if not (reuse and self._tokens):
            self._tokens = [f"TOKEN-{self.token_fetches}"]
        return _json({"access_token": self._tokens[-1], "expires_in": 7200})

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("grant_type") != "client_credential":
            return _json({"errcode": 40002, "errmsg": "invalid grant_type"})
        return await self._issue(request.query.get("appid", ""), request.query.get("secret", ""),
                                 reuse=False)

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        force = bool(body.get("force_refresh"))
        self.forced_fetches += force
        return await self._issue(body.get("appid", ""), body.get("secret", ""), reuse=not force)

    def _refusal(self, request: web.Request) -> web.Response | None:
        if request.query.get("access_token") not in self._tokens:
            return _json({"errcode": 40001, "errmsg": "invalid credential, access_token is "
                                                      "invalid or not latest"})
        queued = self.failures.get(request.path)
        if queued:
            return _json({"errcode": queued.pop(0), "errmsg": "injected by the test"})
        return None

    async def _recorded(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        body = json.loads((await request.read()).decode("utf-8"))
        media_id = body.get("image", {}).get("media_id")
        if body.get("msgtype") == "image" and (
                media_id not in {u.media_id for u in self.uploads} or media_id in self.expired):
            return _json({"errcode": 40007, "errmsg": "invalid media_id"})
        async with self._changed:
            self.sent.append(Sent(request.path, str(body.get("touser", "")), body))
            self._changed.notify_all()
        return _json({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        if request.query.get("type") != "image":
            return _json({"errcode": 40004, "errmsg": "invalid media type"})
        if not request.content_type.startswith("multipart/form-data"):
            return _json({"errcode": 41005, "errmsg": "media data missing"})
        form = await request.post()
        field = form.get("media")
        if not isinstance(field, web.FileField):
            return _json({"errcode": 41005, "errmsg": "media data missing"})
        upload = Upload(f"MEDIA-{len(self.uploads) + 1}", "image", field.filename,
                        field.content_type, field.file.read())
        async with self._changed:
            self.uploads.append(upload)
            self._changed.notify_all()
        return _json({"type": "image", "media_id": upload.media_id, "created_at": 1_795_000_000})

    async def _media(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        self.media_fetches += 1
        if request.query.get("media_id") == "broken":
            return web.Response(status=502, text="bad gateway")
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return _json({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=data, content_type="image/png")


def _json(payload: dict[str, Any]) -> web.Response:
    # WeChat answers errors with HTTP 200 and a text/plain JSON body.
    return web.Response(text=json.dumps(payload), content_type="text/plain")
