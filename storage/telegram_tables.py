"""Telegram's own table, on the shared ``metadata`` (migration 0002 creates it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from storage.tables import UtcDateTime, metadata

# Every message the bot sent on Telegram, with the case it belongs to: a reply to one of
# them (reply_to_message) is routed to that case by our own record, never by forward
# metadata. outbox_id is kept when known (the relay does not hand it to senders yet).
telegram_sent = Table(
    "telegram_sent",
    metadata,
    Column("chat_id", String(32), primary_key=True),
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("outbox_id", Integer, nullable=True),
    Column("case_ref", String(20), nullable=True),
    Column("sent_at", UtcDateTime(), nullable=False),
    Index("ix_telegram_sent_case_ref", "case_ref"),
)
