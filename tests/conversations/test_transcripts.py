"""Every ``transcripts/*.chat`` file replayed through the real application (web channel).

Several people may take part (``!as``): consumers and enterprise staff bound by an
invitation code; messages pushed to someone are checked with ``!pushes``."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.app import Components
from bot.services.staff_admin import invite_staff
from tests.conversations.transcript import Turn, check_turn, fill, parse
from tests.support.app import Chat, app_config, render, running_app
from tests.support.clock import FakeClock

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.chat"))


class Party:
    """Everyone in one transcript, on the web channel, and what each has already seen."""

    def __init__(self, parts: Components, clock: FakeClock) -> None:
        self.parts, self.clock = parts, clock
        self.chats: dict[str, Chat] = {}
        self.seen: dict[str, set[int]] = {}

    def chat(self, name: str) -> Chat:
        if name not in self.chats:
            self.chats[name] = Chat(self.parts, self.clock, user=name)
            self.seen[name] = set()
        return self.chats[name]

    async def say(self, name: str, text: str) -> list[str]:
        chat = self.chat(name)
        outcome = await self.parts.dispatcher(chat.message(text))
        self.seen[name].update(outcome.outbox_ids)
        return [render(r) for r in outcome.replies]

    async def pushes(self, name: str) -> list[str]:
        self.chat(name)
        async with self.parts.db.unit_of_work() as uow:
            rows = await uow.outbox.feed("web", name, 0)
        fresh = [r for r in rows if r.id not in self.seen[name]]
        self.seen[name].update(r.id for r in fresh)
        from bot.core.outbound import message_of

        return [render(message_of(r.channel, r.recipient, r.payload)) for r in fresh]

    async def invite(self, enterprise_id: str) -> str:
        async with self.parts.db.unit_of_work() as uow:
            invitation = await invite_staff(uow, enterprise_id, "agent", self.clock(), "客服小李")
            await uow.commit()
        return invitation.code


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(path: Path, sqlite_url: str, tmp_path: Path) -> None:
    script = parse(path)
    clock = FakeClock()
    config = app_config(sqlite_url, tmp_path)
    captured: dict[str, str] = {}
    speaker = "consumer"
    async with AsyncExitStack() as stack:
        _app, parts = await stack.enter_async_context(running_app(config, clock))
        party = Party(parts, clock)
        for step in script.steps:
            if isinstance(step, Turn):
                replies = await party.say(speaker, fill(step.says, captured))
                check_turn(step, replies, captured, path.name)
            elif step.name == "as":
                speaker = step.arg
            elif step.name == "invite":
                captured["code"] = await party.invite(step.arg)
            elif step.name == "pushes":
                check_turn(step, await party.pushes(step.arg), captured, path.name)
            elif step.name == "restart":
                seen = party.seen
                await stack.aclose()
                _app, parts = await stack.enter_async_context(
                    running_app(config, clock, seed=False))
                party = Party(parts, clock)
                party.seen = seen
                for name in seen:
                    party.chat(name).sent = 1000
            else:
                raise AssertionError(f"{path.name}:{step.line}: unknown directive !{step.name}")


