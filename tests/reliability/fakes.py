"""Fake WeChat and Telegram APIs on loopback that fail on purpose.

They speak the real wire formats (WeChat: HTTP 200 with an ``errcode`` JSON, tokens that a
new fetch invalidates; Telegram: ``{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}``) and fail a share of the calls, drawn from a seeded RNG,
in the ways the real services do: 5xx, a connection cut before the answer, a hung answer
(client timeout), 429 with ``retry_after``, WeChat 40001 (token invalidated elsewhere),
45015 (48-hour window closed) and 45009 (rate limited). A recipient can be made to fail
every call (blocked user, unknown OpenID, a broken route) to reach the dead letters.

Only answered successes are counted as deliveries: a success the bot saw. A hung call is
answered with an error after the client gave up, so it is never a delivery.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

WECHAT_APP_ID = "wx0123456789abcdef"
WECHAT_APP_SECRET = "fedcba9876543210fedcba9876543210"
TELEGRAM_TOKEN = "424242:RELIABILITY-token"


@dataclass
class FaultPlan:
    rate: float = 0.0
    kinds: tuple[str, ...] = ()
    seed: int = 0
    always: dict[str, str] = field(default_factory=dict)
    """Recipients whose every call fails in this way."""
    rng: random.Random = field(init=False)
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self, recipient: str) -> str | None:
        kind = self.always.get(recipient)
        if kind is None and self.kinds and self.rng.random() < self.rate:
            kind = self.rng.choice(self.kinds)
        if kind is not None:
            self.injected[kind] += 1
        return kind


class Deliveries:
    """What the fake confirmed, per message text and in order per recipient."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.order: dict[str, list[str]] = {}
        self.changed = asyncio.Event()

    def record(self, recipient: str, text: str) -> None:
        self.count[text] += 1
        self.order.setdefault(recipient, []).append(text)
        self.changed.set()

    def texts_to(self, recipient: str) -> list[str]:
        return list(self.order.get(recipient, []))


class _Server:
    def __init__(self) -> None:
        self.server: TestServer | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"


def _cut(request: web.Request) -> web.Response:
    """Close the connection without an answer (the client cannot know what happened)."""
    assert request.transport is not None
    request.transport.abort()
    return web.Response(status=500)


class FaultyWechatApi(_Server):
    def __init__(self, plan: FaultPlan | None = None) -> None:
        super().__init__()
        self.plan = plan or FaultPlan()
        self.sent = Deliveries()
        self.templates: list[dict[str, Any]] = []
        self.token_fetches = 0
        self._tokens: set[str] = set()

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/cgi-bin/token", self._token),
            web.post("/cgi-bin/stable_token", self._stable_token),
            web.post("/cgi-bin/message/custom/send", self._custom_send),
            web.post("/cgi-bin/message/template/send", self._template),
            web.get("/cgi-bin/media/get", self._media),
        ])
        return app

    def _issue(self, reuse: bool) -> web.Response:
        self.token_fetches += 1
        if not (reuse and self._tokens):
            self._tokens = {f"TOKEN-{self.token_fetches}"}
        return _errjson({"access_token": sorted(self._tokens)[-1], "expires_in": 7200})

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("appid") != WECHAT_APP_ID:
            return _errjson({"errcode": 40013, "errmsg": "invalid appid"})
        return self._issue(reuse=False)

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        if body.get("appid") != WECHAT_APP_ID or body.get("secret") != WECHAT_APP_SECRET:
            return _errjson({"errcode": 40013, "errmsg": "invalid appid"})
        return self._issue(reuse=not body.get("force_refresh"))

    def _token_ok(self, request: web.Request) -> bool:
        return request.query.get("access_token") in self._tokens

    async def _custom_send(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return _errjson({"errcode": 40001, "errmsg": "invalid credential"})
        body = json.loads((await request.read()).decode("utf-8"))
        touser, text = str(body.get("touser")), str(body.get("text", {}).get("content"))
        fault = self.plan.pick(touser)
        if fault == "5xx":
            return web.Response(status=502, text="bad gateway")
        if fault == "cut":
            return _cut(request)
        if fault == "40001":  # another party fetched a token: ours is dead now
            self._tokens.clear()
            return _errjson({"errcode": 40001, "errmsg": "access_token is not latest"})
        if fault is not None:
            return _errjson({"errcode": int(fault), "errmsg": "injected by the test"})
        self.sent.record(touser, text)
        return _errjson({"errcode": 0, "errmsg": "ok"})

    async def _template(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return _errjson({"errcode": 40001, "errmsg": "invalid credential"})
        self.templates.append(json.loads(await request.read()))
        return _errjson({"errcode": 0, "errmsg": "ok", "msgid": len(self.templates)})

    async def _media(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return _errjson({"errcode": 40001, "errmsg": "invalid credential"})
        return _errjson({"errcode": 40007, "errmsg": "invalid media_id"})


def _errjson(payload: dict[str, Any]) -> web.Response:
    # WeChat answers with HTTP 200 and a text/plain JSON body, errors included.
    return web.Response(text=json.dumps(payload), content_type="text/plain")


class FaultyTelegramApi(_Server):
    def __init__(self, plan: FaultPlan | None = None, hang_seconds: float = 1.0) -> None:
        super().__init__()
        self.plan = plan or FaultPlan()
        self.hang_seconds = hang_seconds
        self.sent = Deliveries()
        self._message_id = 100

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        return app

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TELEGRAM_TOKEN:
            return _tg_error(401, "Unauthorized")
        method = request.match_info["method"]
        params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if method == "getMe":
            return _tg_ok({"id": 4242, "is_bot": True, "first_name": "ODR",
                           "username": "odr_reliability_bot"})
        if method == "getFile":  # every file id the tests send is made up
            return _tg_error(400, "Bad Request: invalid file_id")
        if method != "sendMessage":
            return _tg_ok(True)
        chat_id, text = params.get("chat_id", ""), params.get("text", "")
        fault = self.plan.pick(chat_id)
        if fault is not None:
            return await self._fail(fault)
        self._message_id += 1
        self.sent.record(chat_id, text)
        return _tg_ok({"message_id": self._message_id, "date": 1_700_000_000, "text": text,
                       "chat": {"id": int(chat_id), "type": "private"}})

    async def _fail(self, fault: str) -> web.Response:
        if fault == "5xx":
            return _tg_error(502, "Bad Gateway")
        if fault == "timeout":  # the client gives up first; this answer reaches no one
            await asyncio.sleep(self.hang_seconds)
            return _tg_error(504, "Gateway Timeout")
        if fault == "429":
            seconds = self.plan.rng.randint(1, 5)
            return _tg_error(429, f"Too Many Requests: retry after {seconds}",
                             {"retry_after": seconds})
        if fault == "403":
            return _tg_error(403, "Forbidden: bot was blocked by the user")
        return _tg_error(400, "Bad Request: chat not found")


def _tg_ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _tg_error(status: int, description: str, parameters: dict[str, Any] | None = None
              ) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
