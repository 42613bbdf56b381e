"""Signing staff in and out of the inbox; sessions, CSRF and reading forms.

- a one-time link ``/inbox/login?token=…`` shows a page whose button spends the token
  (link previews in chat apps fetch a URL before the person clicks it: a GET must not
  spend it), or staff number + password (``odrbot staff password``);
- the session is an HttpOnly, SameSite=Strict cookie (Secure behind https) naming a
  server-side session; every POST carries the session's CSRF token (form field ``csrf``
  or header ``X-CSRF-Token``) and a cross-site Origin is refused;
- repeated failures from one address are throttled, counted in the database so that
  every worker enforces one limit; every denial is logged.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from bot.adapters.inbox.ports import InboxBackend, Session
from bot.adapters.inbox.render import Renderer

log = logging.getLogger(__name__)
COOKIE = "odr_inbox"
LOGIN_COOKIE = "odr_inbox_login"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
MAX_FORM_BYTES = 64 * 1024
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
FAILURES_ALLOWED = 8
FAILURE_WINDOW = timedelta(minutes=15)


class FormTooLarge(Exception):
    pass


class FileTooLarge(Exception):
    """The uploaded file is past its limit (the rest of the request is not read)."""


async def read_form(request: web.Request, limit: int = MAX_FORM_BYTES) -> dict[str, str]:
    """A url-encoded form, refused past ``limit`` bytes without reading the rest."""
    if request.content_length is not None and request.content_length > limit:
        raise FormTooLarge()
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise FormTooLarge()
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return {}
    return dict(pairs)


async def read_upload(request: web.Request, file_field: str, file_limit: int,
                      limit: int = MAX_FORM_BYTES) -> tuple[dict[str, str], bytes]:
    """A multipart form: its text fields (``limit`` bytes in all) and the bytes of the
    file in ``file_field`` (b"" when none was chosen), refused past ``file_limit``."""
    if request.content_length is not None and request.content_length > file_limit + limit:
        raise FileTooLarge()
    fields: dict[str, str] = {}
    data = b""
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            raise FormTooLarge()  # nested multipart: no form of ours sends one
        if part.name == file_field and part.filename is not None:
            data = await _read_part(part, file_limit, FileTooLarge)
        elif part.name:
            raw = await _read_part(part, limit - sum(map(len, fields.values())), FormTooLarge)
            fields[part.name] = raw.decode("utf-8", errors="replace")
    return fields, data


async def _read_part(part: BodyPartReader, limit: int, too_large: type[Exception]) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.split("://", 1)[-1] == request.host


class Auth:
    def __init__(self, backend: InboxBackend, renderer: Renderer, secure: bool) -> None:
        self._backend = backend
        self._render = renderer
        self._secure = secure

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/inbox/login", self.login_page), web.post("/inbox/login", self.login),
                web.post("/inbox/logout", self.logout)]

    # --- sessions -------------------------------------------------------------------------

    async def current(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE, "")
        if not _TOKEN.match(token):
            return None
        return await self._backend.session(token)

    async def require(self, request: web.Request) -> Session:
        """The signed-in staff member; otherwise pages go to the sign-in page and
        scripts (fetch, event stream) get 401."""
        session = await self.current(request)
        if session is not None:
            return session
        if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
            log.info("inbox: no session for %s from %s: to sign-in", request.path[:120],
                     request.remote)
            raise web.HTTPSeeOther("/inbox/login")
        log.warning("inbox: denied %s %s from %s (no session)", request.method,
                    request.path[:120], request.remote)
        raise web.HTTPUnauthorized(text="sign in first", content_type="text/plain")

    def csrf_ok(self, request: web.Request, session: Session, form: dict[str, str]) -> bool:
        given = request.headers.get(CSRF_HEADER) or form.get("csrf", "")
        ok = same_origin(request) and hmac.compare_digest(given.encode(), session.csrf.encode())
        if not ok:
            log.warning("inbox: CSRF check failed for staff %s on %s", session.staff.id,
                        request.path)
        return ok

    # --- signing in and out ----------------------------------------------------------------

    async def login_page(self, request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        return self._login_form(request, token if _TOKEN.match(token) else "", None, 200)

    def _login_form(self, request: web.Request, token: str, error: str | None,
                    status: int) -> web.Response:
        nonce = secrets.token_urlsafe(24)
        response = self._render.page(request, "login.html", status=status, token=token,
                                     csrf=nonce, error=error)
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="Strict",
                            secure=self._secure, path="/inbox/login", max_age=3600)
        return response

    async def login(self, request: web.Request) -> web.Response:
        try:
            form = await read_form(request, 8 * 1024)
        except FormTooLarge:
            return self._login_form(request, "", "login.expired_form", 413)
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not (expected and same_origin(request)
                and hmac.compare_digest(form.get("csrf", "").encode(), expected.encode())):
            log.warning("inbox: sign-in form without a valid nonce from %s", request.remote)
            return self._login_form(request, "", "login.expired_form", 403)
        # Per address and account: behind a proxy every client has the proxy's address,
        # and one person's typos must not lock out the whole office.
        client = f"{request.remote or '?'}|{form.get('staff_id', '')[:12] or 'link'}"
        if await self._backend.sign_in_failures(client, FAILURE_WINDOW) >= FAILURES_ALLOWED:
            log.warning("inbox: sign-in throttled for %s", client)
            return self._login_form(request, "", "login.throttled", 429)
        token, error = await self._sign_in(form)
        if token is None:
            await self._backend.sign_in_failed(client, FAILURE_WINDOW)
            log.warning("inbox: sign-in refused (%s) from %s", error, client)
            return self._login_form(request, "", error, 401)
        response = web.HTTPSeeOther("/inbox")
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict",
                            secure=self._secure, path="/inbox", max_age=SESSION_SECONDS)
        response.del_cookie(LOGIN_COOKIE, path="/inbox/login")
        raise response

    async def _sign_in(self, form: dict[str, str]) -> tuple[str | None, str]:
        link = form.get("token", "")
        if link:
            if not _TOKEN.match(link):
                return None, "login.bad_link"
            return await self._backend.login_with_token(link), "login.bad_link"
        staff_id, password = form.get("staff_id", "").strip(), form.get("password", "")
        if not (staff_id.isascii() and staff_id.isdigit()) or len(staff_id) > 12 or not password or len(password) > 200:
            return None, "login.bad_password"
        return (await self._backend.login_with_password(int(staff_id), password),
                "login.bad_password")

    async def logout(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        try:
            form = await read_form(request, 8 * 1024)
        except FormTooLarge:
            form = {}
        if not self.csrf_ok(request, session, form):
            raise web.HTTPForbidden(text="stale page: reload and try again")
        await self._backend.logout(request.cookies.get(COOKIE, ""))
        response = web.HTTPSeeOther("/inbox/login")
        response.del_cookie(COOKIE, path="/inbox")
        raise response
