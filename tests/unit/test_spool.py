"""The spool of WeChat messages answered "success" before their turn committed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.core.messages import Channel, InboundMessage, MediaRef, MessageKind
from bot.services.spool import InboundSpool

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _message(n: int, **extra: object) -> InboundMessage:
    return InboundMessage(Channel.WECHAT, "oUser", str(9000 + n), f"第{n}条 🙂", AT,
                          **extra)  # type: ignore[arg-type]


def _names(folder: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in folder.glob(pattern))


async def test_kept_messages_come_back_whole_until_done(tmp_path: Path) -> None:
    spool = InboundSpool(tmp_path / "spool")
    photo = _message(1, kind=MessageKind.IMAGE, media=MediaRef("wechat/ab.jpg", "ab" * 32))
    event = _message(2, kind=MessageKind.EVENT, event="click:complain", language="en")
    assert await spool.keep(photo) and await spool.keep(event)
    assert await spool.keep(photo)  # WeChat's retry of the same delivery: still one file
    assert sorted(await spool.pending(), key=lambda m: m.message_id) == [photo, event]
    await spool.done(photo)
    await spool.done(photo)  # twice is harmless (another worker may have done it)
    assert await spool.pending() == [event]


async def test_an_unreadable_file_is_set_aside_not_fatal(tmp_path: Path) -> None:
    spool = InboundSpool(tmp_path)
    assert await spool.keep(_message(1))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "naive.json").write_text(
        '{"channel": "wechat", "user_id": "u", "message_id": "1", "text": "x",'
        ' "received_at": "2026-11-23T02:00:00", "kind": "text"}')
    assert [m.message_id for m in await spool.pending()] == ["9001"]
    assert _names(tmp_path, "*.bad") == ["broken.bad", "naive.bad"]


async def test_nothing_kept_where_the_folder_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    spool = InboundSpool(tmp_path / "file" / "spool")
    assert not await spool.keep(_message(1))
    assert await spool.pending() == []
