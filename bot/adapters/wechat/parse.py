"""Callback XML → a :class:`Delivery`: what arrived, before any side effect.

wechatpy parses; this module checks what it got (the XML is the sender's, so any field
may be missing or nested) and maps message and event types onto our message kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from bot.adapters.wechat.protocol import Refused
from bot.core.messages import MessageKind

_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^\d{1,20}$")
# Events a person caused: they open the 48-hour window and go through the dispatcher.
_USER_EVENTS = {"subscribe": "subscribe", "subscribe_scan": "subscribe", "scan": "scan",
                "click": "click", "view": "view"}


class Action(StrEnum):
    DISPATCH = "dispatch"
    UNSUBSCRIBE = "unsubscribe"
    IGNORE = "ignore"
    """System events (template/mass-send reports, location reports): answer success."""


@dataclass(frozen=True)
class Delivery:
    action: Action
    openid: str
    message_id: str
    """The dedupe key: MsgId, or FromUserName:CreateTime for events (WeChat retries)."""
    kind: MessageKind = MessageKind.TEXT
    text: str = ""
    event: str | None = None
    media_id: str | None = None
    source: BaseMessage | None = None
    """The wechatpy message, kept inside the adapter to address the passive reply."""

    @property
    def wants_reply(self) -> bool:
        """A menu link (VIEW) opens a page: a passive reply would go unseen."""
        return self.action == Action.DISPATCH and self.event != "view"


def parse(xml: str) -> Delivery:
    try:
        message = parse_message(xml)
    except Exception:  # expat errors, ValueError (entities), KeyError, TypeError…
        raise Refused(400, "malformed XML") from None
    if message is None:
        raise Refused(400, "empty message")
    data = message._data
    openid = _field(data, "FromUserName")
    _field(data, "ToUserName")
    created = _field(data, "CreateTime")
    msg_type = _field(data, "MsgType").lower()
    if not _OPENID.match(openid) or not _DIGITS.match(created):
        raise Refused(400, "bad FromUserName or CreateTime")
    if msg_type == "event":
        return _event(message, data, openid, created)
    msg_id = _field(data, "MsgId")
    if not _DIGITS.match(msg_id):
        raise Refused(400, "bad MsgId")
    return _message(message, data, msg_type, openid, msg_id)


def _message(message: BaseMessage, data: dict[str, object], msg_type: str, openid: str,
             msg_id: str) -> Delivery:
    def made(kind: MessageKind, text: str = "", media_id: str | None = None) -> Delivery:
        return Delivery(Action.DISPATCH, openid, msg_id, kind, text, media_id=media_id,
                        source=message)

    if msg_type == "text":
        return made(MessageKind.TEXT, _field(data, "Content", ""))
    if msg_type == "image":
        return made(MessageKind.IMAGE, media_id=_field(data, "MediaId"))
    if msg_type == "voice":  # speech recognition on: the words; off: ask for text
        return made(MessageKind.VOICE, _field(data, "Recognition", "").strip())
    if msg_type == "location":
        return made(MessageKind.LOCATION, _field(data, "Label", ""))
    # video, shortvideo, link, file and any type WeChat adds later: a polite answer.
    return made(MessageKind.UNSUPPORTED)


def _event(message: BaseMessage, data: dict[str, object], openid: str, created: str
           ) -> Delivery:
    name = _field(data, "Event", "").lower()  # wechatpy rewrites qrscene_ → subscribe_scan
    message_id = f"{openid}:{created}"
    if name == "unsubscribe":
        return Delivery(Action.UNSUBSCRIBE, openid, message_id, MessageKind.EVENT,
                        event="unsubscribe")
    event = _USER_EVENTS.get(name)
    if event is None:
        return Delivery(Action.IGNORE, openid, message_id, MessageKind.EVENT, event=name)
    if event == "click":
        event = f"click:{_field(data, 'EventKey', '').strip()}"
    return Delivery(Action.DISPATCH, openid, message_id, MessageKind.EVENT, event=event,
                    source=message)


def _field(data: dict[str, object], name: str, default: str | None = None) -> str:
    value = data.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or (default is None and not value):
        raise Refused(400, f"missing or malformed {name}")
    return value

