"""A fake Telegram Bot API on loopback, speaking the real wire format.

``/bot{token}/{method}`` for the methods the bot uses and ``/file/bot{token}/{path}`` for
downloads. Files sent with ``sendPhoto`` / ``sendDocument`` arrive as multipart uploads and
are recorded with the call. Every call is recorded with its parameters and the fake clock's time; errors
(429 with retry_after, 403, 400 …) can be queued per method.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "123456:TEST-token"
SENDS_FILE = ("sendPhoto", "sendDocument")
BOT_ID = 777000
BOT_USERNAME = "odr_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    result_id: int = 0
    """The message_id the fake gave a sent message."""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Multipart uploads of the call: field name → (file name, bytes)."""

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id"))

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
                for b in row]


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


def too_many(retry_after: int) -> Failure:
    return Failure(429, f"Too Many Requests: retry after {retry_after}",
                   {"retry_after": retry_after})


BLOCKED = Failure(403, "Forbidden: bot was blocked by the user")
TOO_LONG = Failure(400, "Bad Request: message is too long")
FILE_TOO_BIG = Failure(400, "Bad Request: file is too big")


def _decode(value: str) -> Any:
    """PTB posts form fields; objects and lists (reply_markup, commands) are JSON."""
    if value[:1] in ("{", "["):
        return json.loads(value)
    return value


class FakeBotApi:
    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self.clock = clock
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure | None]] = {}
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.webhook_url = ""
        self._message_id = 500
        self._new_updates = asyncio.Event()
        self.server: TestServer | None = None

    # --- scripting ----------------------------------------------------------------------
    def fail(self, method: str, *failures: Failure | None) -> None:
        """Answer the next calls of ``method`` with these errors (None: answer normally)."""
        self.failures.setdefault(method, []).extend(failures)

    def push_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_updates.set()

    def add_file(self, file_id: str, data: bytes, path: str = "photos/file_1.jpg") -> None:
        self.files[file_id] = (path, data)

    def sent(self, chat_id: str | None = None, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method
                and (chat_id is None or c.chat_id == chat_id)]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def api_base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    # --- the server -----------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Bot API uploads: 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        self._new_updates.set()
        if self.server is not None:
            await self.server.close()

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _answer(Failure(401, "Unauthorized"))
        method = request.match_info["method"]
        form = await request.post()
        params = {k: _decode(v) for k, v in form.items() if isinstance(v, str)}
        files = {k: (v.filename, v.file.read()) for k, v in form.items()
                 if isinstance(v, web.FileField)}
        call = Call(method, params, self.clock(), files=files)
        self.calls.append(call)
        queued = self.failures.get(method)
        failure = queued.pop(0) if queued else None
        if failure is not None:
            return _answer(failure)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        if method in SENDS_FILE and not files:
            return _answer(Failure(400, "Bad Request: there is no photo in the request"))
        result = self._result(method, params)
        if method in ("sendMessage", *SENDS_FILE):
            call.result_id = result["message_id"]
        return web.json_response({"ok": True, "result": result})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "ODR", "username": BOT_USERNAME}
        if method in SENDS_FILE:
            self._message_id += 1
            file = {"file_id": f"sent-{self._message_id}", "file_unique_id": "p"}
            content = ({"photo": [dict(file, width=800, height=800)]} if method == "sendPhoto"
                       else {"document": file})
            return {"message_id": self._message_id, "date": 1_700_000_000,
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "caption": params.get("caption", ""), **content}
        if method in ("sendMessage", "editMessageText"):
            if method == "sendMessage":
                self._message_id += 1
            chat_id = int(params["chat_id"])
            message_id = int(params.get("message_id", self._message_id))
            return {"message_id": message_id, "date": 1_700_000_000,
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "text": params.get("text", "")}
        if method == "getFile":
            path, data = self.files[str(params["file_id"])]
            return {"file_id": params["file_id"], "file_unique_id": "u" + str(params["file_id"]),
                    "file_size": len(data), "file_path": path}
        if method == "getWebhookInfo":
            return {"url": self.webhook_url, "has_custom_certificate": False,
                    "pending_update_count": 0}
        if method == "setWebhook":
            self.webhook_url = str(params["url"])
        if method == "deleteWebhook":
            self.webhook_url = ""
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed
        if not self.updates:
            self._new_updates.clear()
            try:
                await asyncio.wait_for(self._new_updates.wait(),
                                       timeout=float(params.get("timeout") or 0))
            except TimeoutError:
                pass
        return list(self.updates)

    async def _download(self, request: web.Request) -> web.Response:
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                self.calls.append(Call("download", {"path": path}, self.clock()))
                return web.Response(body=data)
        return web.Response(status=404)


def _answer(failure: Failure) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                            "description": failure.description}
    if failure.parameters:
        body["parameters"] = failure.parameters
    return web.json_response(body, status=failure.status)
