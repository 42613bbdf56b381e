"""How an OutboundMessage is stored in the outbox (JSON payload) and read back.

A photo is its own payload kind (``"kind": "photo"``): it names the stored file (the
path under the media directory, named by its sha256), never the bytes, and its text is
the caption. Rows without a kind are text.
"""

from __future__ import annotations

from typing import Any

from bot.core.messages import Channel, Choice, MediaRef, OutboundMessage

PHOTO = "photo"


def payload_of(message: OutboundMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": message.text,
        "choices": [[c.key, c.label] for c in message.choices],
        "case_ref": message.case_ref,
        "reply_to": message.reply_to_message,
        "data": dict(message.data) if message.data is not None else None,
    }
    if message.media is not None:
        payload["kind"] = PHOTO
        payload["media"] = {"path": message.media.path, "sha256": message.media.sha256,
                            "content_type": message.media.content_type}
    return payload


def message_of(channel: str, recipient: str, payload: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        channel=Channel(channel), recipient=recipient, text=str(payload["text"]),
        choices=tuple(Choice(str(k), str(v)) for k, v in payload.get("choices", [])),
        case_ref=payload.get("case_ref"), reply_to_message=payload.get("reply_to"),
        data=payload.get("data"), media=_media_of(payload),
    )


def _media_of(payload: dict[str, Any]) -> MediaRef | None:
    media = payload.get("media")
    if payload.get("kind") != PHOTO or not isinstance(media, dict):
        return None
    return MediaRef(str(media["path"]), str(media["sha256"]),
                    str(media.get("content_type") or "image/jpeg"))
