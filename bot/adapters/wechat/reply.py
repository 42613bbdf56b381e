"""Our outbound messages as WeChat text: choices as "回复 1 …" lines, several replies
joined into one passive reply, held messages announced ("您有 N 条新消息")."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from bot.adapters.wechat.ports import OutboxItem
from bot.adapters.wechat.texts import language_of, text
from bot.core.messages import OutboundMessage

MAX_REPLY_BYTES = 2048
"""WeChat's limit for one text message; a longer passive reply is not shown."""
SEPARATOR = "\n\n"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_text(message: OutboundMessage) -> str:
    """One message as the user reads it: the text, then one line per numbered option."""
    if not message.choices:
        return message.text
    lang = language_of(message.text)
    lines = [text(lang, "choice", key=c.key, label=c.label) if c.key != c.label
             else text(lang, "choice_word", label=c.label) for c in message.choices]
    return message.text + "\n" + "\n".join(lines)


def compose(held: Sequence[OutboundMessage], current: Sequence[OutboundMessage]) -> str:
    """The held messages first (oldest first, under a header), then this turn's replies."""
    parts = [render_text(m) for m in current]
    if held:
        header = text(language_of(held[0].text), "pending", count=len(held))
        parts.insert(0, header + "\n" + SEPARATOR.join(render_text(m) for m in held))
    return SEPARATOR.join(parts)


def split(items: Sequence[OutboxItem], current_ids: Collection[int]
          ) -> tuple[list[OutboundMessage], list[OutboundMessage]]:
    held = [i.message for i in items if i.id not in current_ids]
    current = [i.message for i in items if i.id in current_ids]
    return held, current


def fitting_prefix(items: Sequence[OutboxItem], current_ids: Collection[int]) -> int:
    """How many rows (a prefix, so order is kept) fit into one passive reply; the rest go
    through the customer-service API. At least one row, even a long one; but never a
    photo: the text reply ends before it, and the API uploads and sends it."""
    photo = next((n for n, item in enumerate(items) if item.message.media is not None), None)
    if photo is not None:
        items = items[:photo]
    for count in range(len(items), 1, -1):
        held, current = split(items[:count], current_ids)
        if len(compose(held, current).encode("utf-8")) <= MAX_REPLY_BYTES:
            return count
    return min(1, len(items))


def reply_xml(source: BaseMessage, content: str) -> str:
    """The passive text reply, addressed back to the sender of ``source``."""
    return str(TextReply(message=source, content=xml_safe(content)).render())


def xml_safe(content: str) -> str:
    """wechatpy writes the content into CDATA as it is: a "]]>" in echoed user text
    would end the section early (XML injection), and control characters are not XML."""
    return _NOT_XML.sub("", content).replace("]]>", "]]]]><![CDATA[>")
