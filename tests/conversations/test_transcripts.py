"""Every ``transcripts/*.chat`` file replayed through the real application (web channel).

The same files are replayed over WeChat and Telegram by the channel tests."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.conversations.transcript import Turn, check_turn, parse
from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.chat"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(path: Path, sqlite_url: str, tmp_path: Path) -> None:
    script = parse(path)
    clock = FakeClock()
    config = app_config(sqlite_url, tmp_path)
    captured: dict[str, str] = {}
    async with AsyncExitStack() as stack:
        _app, parts = await stack.enter_async_context(running_app(config, clock))
        chat = Chat(parts, clock)
        for step in script.steps:
            if step == "restart":
                await stack.aclose()
                _app, parts = await stack.enter_async_context(
                    running_app(config, clock, seed=False))
                chat = Chat(parts, clock, user=chat.user)
                chat.sent = 1000
                continue
            assert isinstance(step, Turn), f"unknown directive {step!r}"
            says = step.says.replace("{ref}", captured.get("ref", "{ref}"))
            replies = await chat.say(says)
            check_turn(step, replies, captured, path.name)
