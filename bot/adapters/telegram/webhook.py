"""``POST /telegram``: Telegram's webhook (DESIGN §5).

The secret token header is checked first (in constant time) and nothing is read or
recorded without it. The body is parsed with ``Update.de_json``; the turn runs and commits,
and the answer is 200 without waiting for any send (the relay sends the replies).
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Bot, Update

from bot.adapters.telegram.updates import UpdateHandler
from bot.core.errors import TemporarilyUnavailable

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
"""Far above any real update (a message is at most 4096 characters plus entities)."""
RETRY_AFTER_SECONDS = "5"


def read_update(data: object, bot: Bot | None) -> Update | None:
    """The JSON as an ``Update``, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # PTB raises TypeError, KeyError, AttributeError … on odd shapes
        return None


class TelegramWebhook:
    def __init__(self, handler: UpdateHandler, secret: str, bot: Bot) -> None:
        self._handler = handler
        self._secret = secret.encode()
        self._bot = bot

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/telegram", self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not self._secret or not hmac.compare_digest(given, self._secret):
            return _error(401, "bad or missing secret token")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, "body too large")
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return _error(413, "body too large")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _error(400, "body is not JSON")
        update = read_update(data, self._bot)
        if update is None:
            return _error(400, "body is not a Telegram Update")
        try:
            done = await self._handler.handle(update)
        except TemporarilyUnavailable:
            return _error(503, "try again later", headers={"Retry-After": RETRY_AFTER_SECONDS})
        log.debug("Telegram update %s: %s", update.update_id, done)
        return web.Response(status=200)


def _error(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status, headers=headers)
