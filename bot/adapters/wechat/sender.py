"""Pushes through the customer-service API (客服消息), for the outbox relay.

Allowed for 48 hours after the user's last interaction (DESIGN §4). Outside the window,
or when WeChat says so (45015 / 45047), the message is held, not failed: it stays in the
outbox and is shown at the user's next message ("您有 N 条新消息"); a template message,
when configured, tells the user once per closed window that something is waiting.
"""

from __future__ import annotations

import asyncio
import logging
import os

from bot.adapters.wechat.api import WechatApi, WechatApiError, WechatTransportError
from bot.adapters.wechat.ports import MediaCache, ServiceWindow
from bot.adapters.wechat.reply import render_text
from bot.adapters.wechat.texts import language_of, text
from bot.core.locks import KeyedLock
from bot.core.media import read_stored
from bot.core.messages import MediaRef, OutboundMessage
from bot.core.ports import SendResult

log = logging.getLogger(__name__)
HOLD_CODES = frozenset({
    45015,  # response out of time limit: the 48-hour window is closed
    45047,  # too many messages without an answer from the user
    43004,  # the user does not follow the account (any more)
    48001,  # the account may not use the customer-service API (unverified)
})
PERMANENT_CODES = frozenset({40003, 40004, 40005, 40006, 40007, 40009, 40013, 45002, 47001})
"""Invalid OpenID, media type / file type / file size / media_id / image size, invalid
AppID, content too long, malformed payload: retry cannot help."""
RATE_LIMITED = frozenset({45009, 45011})
INVALID_MEDIA_ID = 40007
EXCERPT_CHARS = 20
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
"""What WeChat takes as temporary image media (bmp too; not WebP)."""
MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""WeChat's limit for an image upload (our evidence limit is 20 MB)."""


class PhotoUnsendable(Exception):
    """The stored photo cannot go to WeChat (gone, WebP, over 10 MB): its text notice went
    before it, so the reader still knows; retrying cannot help."""


class WechatSender:
    def __init__(self, api: WechatApi, window: ServiceWindow, template_id: str = "",
                 media_ids: MediaCache | None = None) -> None:
        self._api = api
        self._window = window
        self._template_id = template_id
        self._media_ids = media_ids
        self._uploading = KeyedLock()

    async def send(self, message: OutboundMessage) -> SendResult:
        if not await self._window.is_open(message.recipient):
            return await self._hold(message, "customer-service window closed")
        try:
            if message.media is not None:
                await self._send_photo(message.recipient, message.media)
            else:
                await self._api.send_text(message.recipient, render_text(message))
        except PhotoUnsendable as exc:
            return SendResult(ok=False, error=f"photo not sendable: {exc}", permanent=True)
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

    async def _send_photo(self, openid: str, media: MediaRef) -> None:
        """The image message (客服消息) naming the file's temporary media: uploaded once and
        reused while WeChat keeps it; a media_id WeChat no longer knows (40007) is
        forgotten and the file uploaded again, once."""
        media_id, cached = await self._media_id(media)
        try:
            await self._api.send_image(openid, media_id)
        except WechatApiError as exc:
            if exc.code != INVALID_MEDIA_ID or not cached or self._media_ids is None:
                raise
            log.warning("WeChat forgot media %s (40007): uploading again", media_id[:40])
            await self._media_ids.forget(media.sha256)
            media_id, _ = await self._media_id(media)
            await self._api.send_image(openid, media_id)

    async def _media_id(self, media: MediaRef) -> tuple[str, bool]:
        """(media_id, whether it came from the cache). One upload at a time per file in
        this process, so recipients sent to concurrently share the upload."""
        if self._media_ids is None:
            return await self._upload(media), False
        async with self._uploading.hold(media.sha256):
            cached = await self._media_ids.get(media.sha256)
            if cached is not None and await asyncio.to_thread(os.path.isfile, media.path):
                return cached, True  # (an erased file is not sent, even if WeChat has it)
            media_id = await self._upload(media)
            await self._media_ids.put(media.sha256, media_id)
            return media_id, False

    async def _upload(self, media: MediaRef) -> str:
        """Upload the stored file as temporary media (WeChat keeps it 3 days)."""
        ext = IMAGE_TYPES.get(media.content_type)
        if ext is None:
            raise PhotoUnsendable(f"{media.content_type} is not an image type WeChat takes")
        try:
            data = await asyncio.to_thread(read_stored, media)
        except OSError as exc:
            raise PhotoUnsendable(f"stored file unreadable ({type(exc).__name__})") from exc
        if len(data) > MAX_IMAGE_BYTES:
            raise PhotoUnsendable(f"{len(data)} bytes, more than WeChat's 10 MB")
        return await self._api.upload_image(f"{media.sha256[:32]}.{ext}", data,
                                            media.content_type)

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
