"""One Telegram ``Update`` → what we will do with it (pure: no IO, no SDK object leaves).

Decisions users would notice, in one place:
- a message's dedupe key is its ``update_id`` (Telegram re-sends an update until answered);
- a keyboard tap's key is ``cb:{chat}:{message}``: a keyboard is answered once, so a
  double tap never answers the next question too;
- an edit (``edited_message``) never runs the conversation again (the answer was already
  taken and the conversation moved on): the user gets one note per edited message
  (key ``edit:{chat}:{message}``) saying that a correction is sent as a new message;
- in groups the bot reads only what addresses it (an @mention, ``/cmd@bot``, or a reply to
  one of its messages), and the group is the conversation (replies go to the group);
- stickers, videos, locations … in private get a polite "text and photos only" from the
  handlers; service messages (joins, pins), polls, channel posts are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import CallbackQuery, Message, MessageEntity, PhotoSize, Update
from telegram.constants import ChatType

from bot.adapters.telegram.ports import BotIdentity
from bot.adapters.telegram.render import chosen_label
from bot.core.media import MAX_IMAGE_BYTES
from bot.core.messages import Channel, InboundMessage, MessageKind

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True)
class FileToFetch:
    file_id: str
    size: int | None


@dataclass(frozen=True)
class Turn:
    message: InboundMessage
    fetch: FileToFetch | None = None
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class Notice:
    recipient: str
    dedupe_key: str
    key: str
    language: str | None


@dataclass(frozen=True)
class CallbackAck:
    query_id: str
    chat_id: str | None = None
    message_id: int | None = None
    text: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Plan:
    action: Turn | Notice | None
    ack: CallbackAck | None = None
    reason: str = ""


def parse_update(update: Update, me: BotIdentity | None, now: datetime) -> Plan:
    if update.callback_query is not None:
        return _callback(update.callback_query, now)
    if update.edited_message is not None:
        return _edited(update.edited_message, me)
    if update.message is not None:
        return _message(update.update_id, update.message, me, now)
    return Plan(None, reason="update kind not handled")


def _message(update_id: int, msg: Message, me: BotIdentity | None, now: datetime) -> Plan:
    refused = _refusal(msg, me)
    if refused:
        return Plan(None, reason=refused)
    content = _content(msg)
    if content is None:
        return Plan(None, reason="service message")
    kind, fetch = content
    text = msg.text if msg.text is not None else (msg.caption or "")
    if msg.chat.type in _GROUPS and me is not None:
        text = strip_mention(text, me.username)
    user = msg.from_user
    message = InboundMessage(
        channel=Channel.TELEGRAM, user_id=str(msg.chat.id), message_id=str(update_id),
        text=text, received_at=now, kind=kind,
        language=user.language_code if user is not None else None,
    )
    reply = msg.reply_to_message
    return Plan(Turn(message, fetch, reply.message_id if reply is not None else None))


def _edited(msg: Message, me: BotIdentity | None) -> Plan:
    refused = _refusal(msg, me)
    if refused:
        return Plan(None, reason=refused)
    user = msg.from_user
    return Plan(Notice(str(msg.chat.id), f"edit:{msg.chat.id}:{msg.message_id}", "edited",
                       user.language_code if user is not None else None))


def _callback(query: CallbackQuery, now: datetime) -> Plan:
    msg = query.message
    if not isinstance(msg, Message) or not isinstance(query.data, str):
        return Plan(None, CallbackAck(query.id), reason="keyboard of an old or inline message")
    if msg.chat.type != ChatType.PRIVATE and msg.chat.type not in _GROUPS:
        return Plan(None, CallbackAck(query.id), reason="channel keyboard")
    chat_id = str(msg.chat.id)
    ack = CallbackAck(query.id, chat_id, msg.message_id, msg.text,
                      chosen_label(msg.reply_markup, query.data))
    message = InboundMessage(
        channel=Channel.TELEGRAM, user_id=chat_id, message_id=f"cb:{chat_id}:{msg.message_id}",
        text=query.data, received_at=now, language=query.from_user.language_code,
    )
    return Plan(Turn(message), ack)


def _refusal(msg: Message, me: BotIdentity | None) -> str:
    """Why a message is not for us ('' when it is)."""
    user = msg.from_user
    if user is None or user.is_bot:
        return "not from a person"
    if msg.chat.type == ChatType.PRIVATE:
        return ""
    if msg.chat.type in _GROUPS:
        return "" if addressed(msg, me) else "group message not addressed to the bot"
    return "channel message"


def addressed(msg: Message, me: BotIdentity | None) -> bool:
    """A group message is for us when it mentions us or replies to one of our messages."""
    if me is None:  # getMe has not answered yet: stay quiet rather than guess
        return False
    reply = msg.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
        return True
    handle = f"@{me.username}".lower()
    entities = msg.parse_entities() if msg.text is not None else msg.parse_caption_entities()
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value.lower() == handle:
            return True
        if entity.type == MessageEntity.BOT_COMMAND and value.lower().endswith(handle):
            return True
        if (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None
                and entity.user.id == me.id):
            return True
    return False


def strip_mention(text: str, username: str) -> str:
    """"@odr_bot 查询" → "查询"; "/status@odr_bot TS…" → "/status TS…"."""
    if not username:
        return text
    return re.sub(rf"@{re.escape(username)}\b", "", text, flags=re.IGNORECASE).strip()


def _content(msg: Message) -> tuple[MessageKind, FileToFetch | None] | None:
    if msg.text is not None:
        return MessageKind.TEXT, None
    if msg.photo:
        best = _largest(msg.photo)
        return MessageKind.IMAGE, FileToFetch(best.file_id, best.file_size)
    if msg.document is not None and msg.animation is None:
        if (msg.document.mime_type or "").startswith("image/"):
            return MessageKind.IMAGE, FileToFetch(msg.document.file_id, msg.document.file_size)
        return MessageKind.UNSUPPORTED, None
    if msg.voice is not None or msg.audio is not None:
        return MessageKind.VOICE, None
    if msg.effective_attachment is not None:  # sticker, video, location, contact, poll …
        return MessageKind.UNSUPPORTED, None
    return None


def _largest(sizes: tuple[PhotoSize, ...]) -> PhotoSize:
    """The biggest rendition Telegram lets a bot download (20 MB)."""
    fitting = [p for p in sizes if p.file_size is None or p.file_size <= MAX_IMAGE_BYTES]
    return (fitting or list(sizes))[-1]
