"""Outgoing webhooks of enterprise systems (issue 6): the sender of ``Channel.WEBHOOK``.

The CaseService writes one outbox row per event on an enterprise's case when the
enterprise has a webhook (``odrbot enterprises webhook ID URL``); the outbox relay calls
:class:`WebhookSender` for each, in order per enterprise, with its backoff and dead
letters. One delivery is one POST of the event JSON, signed (docs/api.md):

    X-ODR-Timestamp: <unix seconds>
    X-ODR-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>
    X-ODR-Delivery:  <delivery id, the same on every retry of this event>
    X-ODR-Event:     <event name>

2xx → delivered (the relay marks the row sent and never sends it again); 408, 429, 5xx,
timeouts and connection errors → retried (``Retry-After`` honoured); any other answer →
dead-lettered at once with the reason. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.core.messages import Channel, OutboundMessage
from bot.core.ports import SendResult
from storage.staff import WebhookRow
from storage.uow import Database

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
"""Well under the relay's 60 s lease, so a slow receiver is never sent the row twice."""
MAX_RETRY_AFTER = 3600.0
USER_AGENT = "odrbot-webhook/1"


class WebhookUrlRefused(ValueError):
    pass


def check_webhook_url(url: str) -> str:
    """The URL as stored, or :class:`WebhookUrlRefused` with the reason."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > 500:
        raise WebhookUrlRefused("the webhook URL is longer than 500 characters")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise WebhookUrlRefused("the webhook URL must not contain credentials or a #fragment")
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return url
    raise WebhookUrlRefused(
        f"the webhook URL must start with https:// (plain http:// only for loopback hosts "
        f"such as 127.0.0.1, for tests); refused {url[:100]!r}")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"{timestamp}.{body}"`` with the enterprise's secret."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def result_of(status: int, retry_after: str | None, detail: str, now: datetime) -> SendResult:
    if 200 <= status < 300:
        return SendResult(ok=True)
    reason = f"HTTP {status}: {detail}".strip()[:300]
    if status in (408, 429) or status >= 500:
        return SendResult(ok=False, error=reason, retry_after=_retry_after(retry_after, now))
    if 300 <= status < 400:
        reason = f"HTTP {status}: redirects are not followed; configure the final URL"
    return SendResult(ok=False, error=reason, permanent=True)


def _retry_after(raw: str | None, now: datetime) -> float | None:
    """Seconds or an HTTP date (RFC 9110), capped at an hour; None → the relay's backoff."""
    if not raw:
        return None
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():
        return min(float(raw), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - now).total_seconds(), MAX_RETRY_AFTER))


class WebhookSender:
    def __init__(self, db: Database, clock: Callable[[], datetime],
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self._db = db
        self._clock = clock
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        """The HTTP client outlives the relay (installed first, so torn down last)."""
        self._session = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), headers={"User-Agent": USER_AGENT})
        try:
            yield
        finally:
            await self._session.close()
            self._session = None

    async def _hook(self, enterprise_id: str) -> WebhookRow | None:
        async with self._db.unit_of_work() as uow:
            return await uow.staff.webhook(enterprise_id)

    async def send(self, message: OutboundMessage) -> SendResult:
        if self._session is None:
            return SendResult(ok=False, error="webhook client not started", hold=True)
        hook = await self._hook(message.recipient)
        if hook is None:
            return SendResult(ok=False, error="no webhook configured", permanent=True)
        try:
            url = check_webhook_url(hook.url)
        except WebhookUrlRefused as exc:
            return SendResult(ok=False, error=str(exc), permanent=True)
        data = dict(message.data or {})
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(self._clock().timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-ODR-Timestamp": timestamp,
            "X-ODR-Signature": "sha256=" + sign(hook.secret, timestamp, body),
            "X-ODR-Delivery": str(data.get("delivery_id") or hashlib.sha256(body).hexdigest()),
            "X-ODR-Event": str(data.get("event") or message.text),
        }
        try:
            async with self._session.post(
                    url, data=body, headers=headers, allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=self._timeout)) as response:
                detail = (await response.content.read(300)).decode("utf-8", "replace")
                result = result_of(response.status, response.headers.get("Retry-After"),
                                   detail, self._clock())
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        if not result.ok:
            log.warning("webhook of %s (%s): %s", message.recipient, headers["X-ODR-Event"],
                        result.error)
        return result


def install(app: web.Application) -> WebhookSender:
    from bot.app import COMPONENTS

    parts = app[COMPONENTS]
    sender = WebhookSender(parts.db, parts.clock)
    parts.senders[Channel.WEBHOOK] = sender
    app.cleanup_ctx.insert(0, sender.lifetime)
    return sender
