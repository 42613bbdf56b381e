"""The whole negotiation (transcripts/negotiation.chat) over Telegram: consumer and clerk
are two Telegram users; the clerk binds with the invitation code; pushed messages are
read from the fake Bot API's sendMessage calls to each chat."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from bot.services.staff_admin import invite_staff
from tests.adapters.telegram.support import Client, TelegramWorld, telegram_world
from tests.adapters.telegram.test_transcript import shown
from tests.conversations.transcript import Directive, Turn, check_turn, fill, parse

TRANSCRIPTS = Path(__file__).parents[2] / "conversations" / "transcripts"


class Party:
    def __init__(self, world: TelegramWorld) -> None:
        self.world = world
        self.people: dict[str, Client] = {}
        self.consumed: dict[str, set[int]] = defaultdict(set)
        self._ids = itertools.count(910_001)

    def person(self, name: str) -> Client:
        if name not in self.people:
            self.people[name] = Client(user_id=next(self._ids))
        return self.people[name]

    async def say(self, name: str, says: str) -> list[str]:
        user = self.person(name)
        chat = str(user.chat_id)
        before = self.world.api.sent(chat)
        last = before[-1] if before else None
        if last is not None and says in {data for _, data in last.buttons}:
            update = user.tap(last, says)
        else:
            update = user.message(says)
        await self.world.deliver(update)
        calls = self.world.api.sent(chat)
        fresh = list(range(len(before), len(calls)))
        self.consumed[name].update(fresh)
        return [shown(calls[i]) for i in fresh]

    def pushes(self, name: str) -> list[str]:
        calls = self.world.api.sent(str(self.person(name).chat_id))
        fresh = [i for i in range(len(calls)) if i not in self.consumed[name]]
        self.consumed[name].update(fresh)
        return [shown(calls[i]) for i in fresh]


@pytest.mark.parametrize("name", ["negotiation", "escalation"])
async def test_negotiation_over_telegram(name: str, sqlite_url: str, tmp_path: Path) -> None:
    path = TRANSCRIPTS / f"{name}.chat"
    async with telegram_world(sqlite_url, tmp_path) as world:
        party, captured, speaker = Party(world), {}, "consumer"
        for step in parse(path).steps:
            where = f"{path.name} over Telegram"
            if isinstance(step, Turn):
                replies = await party.say(speaker, fill(step.says, captured))
                check_turn(step, replies, captured, where)
                continue
            assert isinstance(step, Directive)
            if step.name == "as":
                speaker = step.arg
            elif step.name == "invite":
                async with world.parts.db.unit_of_work() as uow:
                    invitation = await invite_staff(uow, step.arg, "agent", world.clock())
                    await uow.commit()
                captured["code"] = invitation.code
            elif step.name == "pushes":
                await world.settle()
                check_turn(step, party.pushes(step.arg), captured, where)
            else:
                raise AssertionError(f"{where}:{step.line}: unexpected !{step.name}")
