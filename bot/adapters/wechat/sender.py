"""Pushes through the customer-service API (客服消息), for the outbox relay.

Allowed for 48 hours after the user's last interaction (DESIGN §4). Outside the window,
or when WeChat says so (45015 / 45047), the message is held, not failed: it stays in the
outbox and is shown at the user's next message ("您有 N 条新消息"); a template message,
when configured, tells the user once per closed window that something is waiting.
"""

from __future__ import annotations

import logging

from bot.adapters.wechat.api import WechatApi, WechatApiError, WechatTransportError
from bot.adapters.wechat.ports import ServiceWindow
from bot.adapters.wechat.reply import render_text
from bot.adapters.wechat.texts import language_of, text
from bot.core.messages import OutboundMessage
from bot.core.ports import SendResult

log = logging.getLogger(__name__)
HOLD_CODES = frozenset({
    45015,  # response out of time limit: the 48-hour window is closed
    45047,  # too many messages without an answer from the user
    43004,  # the user does not follow the account (any more)
    48001,  # the account may not use the customer-service API (unverified)
})
PERMANENT_CODES = frozenset({40003, 40013, 45002, 47001})
"""Invalid OpenID, invalid AppID, content too long, malformed payload: retry cannot help."""
RATE_LIMITED = frozenset({45009, 45011})
EXCERPT_CHARS = 20


class WechatSender:
    def __init__(self, api: WechatApi, window: ServiceWindow, template_id: str = "") -> None:
        self._api = api
        self._window = window
        self._template_id = template_id

    async def send(self, message: OutboundMessage) -> SendResult:
        if not await self._window.is_open(message.recipient):
            return await self._hold(message, "customer-service window closed")
        try:
            await self._api.send_text(message.recipient, render_text(message))
        except WechatApiError as exc:
            if exc.code in HOLD_CODES:
                return await self._hold(message, f"WeChat {exc}")
            if exc.code in RATE_LIMITED:
                return SendResult(ok=False, error=f"WeChat {exc}", retry_after=60.0)
            return SendResult(ok=False, error=f"WeChat {exc}",
                              permanent=exc.code in PERMANENT_CODES)
        except WechatTransportError as exc:
            return SendResult(ok=False, error=str(exc))
        return SendResult(ok=True)

    async def _hold(self, message: OutboundMessage, reason: str) -> SendResult:
        if self._template_id and await self._window.first_notice(message.recipient):
            await self._notify(message)
        return SendResult(ok=False, error=reason, hold=True)

    async def _notify(self, message: OutboundMessage) -> None:
        """Template messages are not bound to the window; they only say "come back"."""
        lang = language_of(message.text)
        excerpt = message.text.splitlines()[0] if message.text else ""
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[:EXCERPT_CHARS] + "…"
        data = {"first": text(lang, "template_first"), "keyword1": excerpt,
                "keyword2": message.case_ref or "", "remark": text(lang, "template_remark")}
        try:
            await self._api.send_template(message.recipient, self._template_id, data)
        except (WechatApiError, WechatTransportError) as exc:
            log.warning("template notice to a WeChat user failed: %s", exc)
