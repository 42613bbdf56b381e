"""How an OutboundMessage is stored in the outbox (JSON payload) and read back."""

from __future__ import annotations

from typing import Any

from bot.core.messages import Channel, Choice, OutboundMessage


def payload_of(message: OutboundMessage) -> dict[str, Any]:
    return {
        "text": message.text,
        "choices": [[c.key, c.label] for c in message.choices],
        "case_ref": message.case_ref,
        "reply_to": message.reply_to_message,
        "data": dict(message.data) if message.data is not None else None,
    }


def message_of(channel: str, recipient: str, payload: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        channel=Channel(channel), recipient=recipient, text=str(payload["text"]),
        choices=tuple(Choice(str(k), str(v)) for k, v in payload.get("choices", [])),
        case_ref=payload.get("case_ref"), reply_to_message=payload.get("reply_to"),
        data=payload.get("data"),
    )
