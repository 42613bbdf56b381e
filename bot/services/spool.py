"""Inbound messages a platform was told had arrived before their turn committed.

WeChat waits 5 seconds for an answer. When a turn outlives the reply budget we answer
"success" and finish it in the background; WeChat will not deliver that message again. So
before saying "success" the message is written here (one file, fsync'd, renamed into
place): if the process dies, or the database is away, before the turn commits, the file
is still there and the message is handled again later (the dispatcher's dedupe makes a
second run harmless). When the turn has committed, the file goes.

A folder rather than a table: the moment this matters is when the database cannot take a
write (locked, unreachable), and a local file can still be made durable.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.messages import Channel, InboundMessage, MediaRef, MessageKind

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 1024 * 1024


def _record(message: InboundMessage) -> dict[str, Any]:
    media = message.media
    return {
        "channel": message.channel.value, "user_id": message.user_id,
        "message_id": message.message_id, "text": message.text,
        "received_at": message.received_at.isoformat(), "kind": message.kind.value,
        "language": message.language, "reply_to": message.reply_to, "event": message.event,
        "media": None if media is None else {"path": media.path, "sha256": media.sha256,
                                             "content_type": media.content_type},
    }


def _message(record: dict[str, Any]) -> InboundMessage:
    media = record.get("media")
    received = datetime.fromisoformat(str(record["received_at"]))
    if received.tzinfo is None:
        raise ValueError("received_at without a time zone")
    return InboundMessage(
        channel=Channel(record["channel"]), user_id=str(record["user_id"]),
        message_id=str(record["message_id"]), text=str(record["text"]), received_at=received,
        kind=MessageKind(record["kind"]), language=record.get("language"),
        media=None if media is None else MediaRef(str(media["path"]), str(media["sha256"]),
                                                  str(media["content_type"])),
        reply_to=record.get("reply_to"), event=record.get("event"))


class InboundSpool:
    def __init__(self, folder: str | Path) -> None:
        self._folder = Path(folder)

    def _path(self, message: InboundMessage) -> Path:
        key = f"{message.channel.value}:{message.message_id}".encode()
        return self._folder / f"{hashlib.sha256(key).hexdigest()[:32]}.json"

    async def keep(self, message: InboundMessage) -> bool:
        """Durably keep the message; False when that failed (then do not say "success")."""
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            log.error("could not keep an inbound %s message: %s", message.channel, exc)
            return False
        return True

    def _write(self, message: InboundMessage) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        final = self._path(message)
        partial = final.with_suffix(f".{os.getpid()}.part")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(_record(message), out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        folder = os.open(self._folder, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)

    async def done(self, message: InboundMessage) -> None:
        """The message's turn has committed: forget it."""
        try:
            await asyncio.to_thread(self._path(message).unlink, missing_ok=True)
        except OSError as exc:  # harmless: a later replay finds the receipt
            log.warning("could not remove a handled inbound message: %s", exc)

    async def pending(self) -> list[InboundMessage]:
        """Kept messages, oldest first; a file that cannot be read is set aside (.bad)."""
        return await asyncio.to_thread(self._read_all)

    def _read_all(self) -> list[InboundMessage]:
        try:
            files = sorted(self._folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        except (FileNotFoundError, OSError):
            return []
        found = []
        for path in files:
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise ValueError("too large")
                found.append(_message(json.loads(path.read_text(encoding="utf-8"))))
            except FileNotFoundError:
                continue  # another worker handled it meanwhile
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("unreadable kept inbound message %s set aside: %s", path.name, exc)
                try:
                    path.replace(path.with_suffix(".bad"))
                except OSError:
                    continue
        return found
