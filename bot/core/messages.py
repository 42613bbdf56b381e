"""Platform-neutral message types: the only shapes that cross from adapters into the core.

No SDK object (wechatpy message, PTB ``Update``) ever crosses this line (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    WECHAT = "wechat"
    TELEGRAM = "telegram"
    WEB = "web"
    # Outbound only: live events for an enterprise's web inbox, and its signed webhook.
    INBOX = "inbox"
    WEBHOOK = "webhook"


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    LOCATION = "location"
    EVENT = "event"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Choice:
    """A numbered option; ``key`` is what the user may answer (the number), ``label`` the words."""

    key: str
    label: str


@dataclass(frozen=True)
class MediaRef:
    """Evidence already downloaded by the adapter and stored under the media directory."""

    path: str
    sha256: str
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class InboundMessage:
    channel: Channel
    user_id: str
    """The platform's id of the sender (WeChat OpenID, Telegram user id, web session id)."""
    message_id: str
    """The platform's id of this delivery: the dedupe key (WeChat MsgId, Telegram update_id)."""
    text: str
    received_at: datetime
    kind: MessageKind = MessageKind.TEXT
    language: str | None = None
    media: MediaRef | None = None
    reply_to: str | None = None
    """Platform id of the message this one replies to (Telegram reply_to_message)."""
    event: str | None = None
    """For ``MessageKind.EVENT``: subscribe, unsubscribe, click:<key>, …"""


@dataclass(frozen=True)
class OutboundMessage:
    channel: Channel
    recipient: str
    text: str
    choices: tuple[Choice, ...] = ()
    case_ref: str | None = None
    """The complaint this message belongs to, so replies to it can be routed (Telegram)."""
    reply_to_message: str | None = field(default=None)
    """Set when the message is a direct reply to an inbound message (passive reply capable)."""
    data: Mapping[str, object] | None = None
    """A structured event (inbox, webhook) next to the human-readable text."""
    media: MediaRef | None = None
    """A photo to deliver (the stored file, never its bytes); ``text`` is its caption."""
