"""Pages of the inbox: Jinja templates with autoescape (all user text is escaped), the
language of the request, and the security headers every page carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from bot.adapters.inbox.ports import Labels
from bot.adapters.inbox.texts import text
from bot.core.media import MAX_IMAGE_BYTES

CHINA = timezone(timedelta(hours=8))
PHOTO_LIMIT_MB = MAX_IMAGE_BYTES // (1024 * 1024)
LANG_COOKIE = "odr_lang"
# Like the web chat: nothing but our own origin, no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def language(request: web.Request) -> str:
    """``?lang=`` (the switch in the header), then the cookie, then Accept-Language."""
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in ("zh", "en"):
        return chosen
    header = request.headers.get("Accept-Language", "").lower()
    return "en" if header.startswith("en") else "zh"


class Renderer:
    def __init__(self, labels: Labels, max_text: int) -> None:
        self._labels = labels
        self.max_text = max_text
        self._env = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.adapters.inbox", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True)

    def page(self, request: web.Request, template: str, status: int = 200,
             **context: Any) -> web.Response:
        lang = language(request)
        switch = {k: v for k, v in request.query.items() if k not in ("lang", "part")}
        switch["lang"] = "zh" if lang == "en" else "en"
        html = self._env.get_template(template).render(
            lang=lang, t=lambda key, **v: text(lang, key, **v),
            label=lambda kind, code: self.label(lang, kind, code),
            when=_when, max_text=self.max_text, photo_limit_mb=PHOTO_LIMIT_MB,
            photo_limit_bytes=MAX_IMAGE_BYTES, switch_url=f"{request.path}?{urlencode(switch)}", **context)
        response = web.Response(text=html, content_type="text/html", status=status,
                                headers=SECURITY_HEADERS)
        if request.query.get("lang") in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True,
                                samesite="Strict", path="/inbox")
        return response

    def label(self, lang: str, kind: str, code: str) -> str:
        if kind == "status":
            return text(lang, f"status.{code}") if f"status.{code}" in _STATUS_KEYS else code
        table: Mapping[str, tuple[str, str]] = getattr(self._labels, kind)
        zh, en = table.get(code, (code, code))
        return en if lang == "en" else zh


_STATUS_KEYS = frozenset(f"status.{s}" for s in (
    "draft", "submitted", "accepted", "negotiating", "proposed", "settled", "not_settled",
    "overdue", "escalated", "withdrawn", "closed"))


def _when(value: datetime | date | None) -> str:
    """Times in China time, to the minute; dates as ISO dates."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
