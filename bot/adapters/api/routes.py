"""``/api/v1``: a sub-application with its own error middleware, so that every answer —
including unknown paths and wrong methods — is JSON ``{"error": {"code", "message"}}``.

Authentication: ``Authorization: Bearer <key>``; the key is looked up by its hash and
names one enterprise. A complaint of another enterprise answers 404 exactly like an
unknown reference.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.adapters.api.openapi import document
from bot.adapters.api.ports import STATUSES, ApiBackend, ApiError, ListQuery
from bot.core.errors import TemporarilyUnavailable

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
MAX_LIMIT = 200
_ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}
_CATEGORY = re.compile(r"^[A-Z]\d{2}$")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, code: str, message: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="odrbot"'} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "2"}
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message)
    except TemporarilyUnavailable:
        return error_response(503, "unavailable", "temporarily unavailable; retry shortly")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, _ERROR_CODES.get(exc.status, "error"), exc.reason)


class Api:
    def __init__(self, backend: ApiBackend) -> None:
        self._backend = backend

    def app(self) -> web.Application:
        sub = web.Application(middlewares=[json_errors])
        ref = "/complaints/{reference}"
        sub.add_routes([
            web.get("/openapi.json", self.openapi),
            web.get("/complaints", self.list_complaints),
            web.get(ref, self.get_complaint),
            web.post(ref + "/messages", self._action("reply")),
            web.post(ref + "/accept", self._action("accept")),
            web.post(ref + "/propose", self._action("propose")),
            web.post(ref + "/refuse", self._action("refuse")),
            web.post(ref + "/settle", self._action("settle")),
        ])
        return sub

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(document())

    async def _enterprise(self, request: web.Request) -> str:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        key = key.strip()
        enterprise = None
        if scheme.lower() == "bearer" and 0 < len(key) <= 200:
            enterprise = await self._backend.enterprise_of_key(key)
        if enterprise is None:
            log.warning("api: refused %s %s from %s (missing or unknown key)", request.method,
                        request.path[:120], request.remote)
            raise ApiError(401, "unauthorized", "a valid API key is required: "
                                                "Authorization: Bearer <key>")
        return enterprise

    async def list_complaints(self, request: web.Request) -> web.Response:
        enterprise = await self._enterprise(request)
        query = _list_query(request)
        found = await self._backend.complaints(enterprise, query)
        return web.json_response({"complaints": found, "limit": query.limit,
                                  "offset": query.offset})

    async def get_complaint(self, request: web.Request) -> web.Response:
        enterprise = await self._enterprise(request)
        found = await self._backend.complaint(enterprise, request.match_info["reference"])
        return web.json_response({"complaint": found})

    def _action(self, action: str) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            enterprise = await self._enterprise(request)
            text = await _text(request, required=action != "accept")
            found = await self._backend.act(enterprise, action,
                                            request.match_info["reference"], text)
            return web.json_response({"complaint": found})

        return handle


async def _text(request: web.Request, required: bool) -> str:
    """``{"text": "…"}`` from the body (64 KB at most); an empty body for accept."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    if not raw.strip() and not required:
        return ""
    try:
        body: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(422, "validation_error", 'the body must be JSON: {"text": "…"}') from None
    if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
        raise ApiError(422, "validation_error", '"text" must be a string')
    text = str(body.get("text", ""))
    if required and not text.strip():
        raise ApiError(422, "validation_error", '"text" must not be empty')
    return text


def _list_query(request: web.Request) -> ListQuery:
    raw_status = request.query.get("status", "")
    statuses = tuple(s for s in raw_status.split(",") if s)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ApiError(422, "validation_error",
                       f"unknown status {unknown[0][:20]!r}; one of {', '.join(STATUSES)}")
    category = request.query.get("category") or None
    if category is not None and not _CATEGORY.match(category):
        raise ApiError(422, "validation_error", "category is a code like G01 or S08")
    search = (request.query.get("q") or "").strip() or None
    if search is not None and len(search) > 32:
        raise ApiError(422, "validation_error", "q is at most 32 characters")
    return ListQuery(statuses, category, search, _int(request, "limit", 50, 1, MAX_LIMIT),
                     _int(request, "offset", 0, 0, 1_000_000))


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ApiError(422, "validation_error", f"{name} must be an integer {low}–{high}")
    return int(raw)
