"""Whole conversations replayed over WeChat: the consumer files and queries through
``/wechat``, the clerk (also on WeChat) answers, and what one side says reaches the other
through the customer-service API (custom/send) — in every encryption mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.services.staff_admin import invite_staff
from tests.adapters.wechat.client import WechatClient
from tests.adapters.wechat.conftest import Bot, wechat_bot
from tests.adapters.wechat.fake_api import FakeWechatApi
from tests.adapters.wechat.support import drained, wechat_lines
from tests.conversations.transcript import Directive, Turn, fill, parse

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "conversations" / "transcripts"
_PLACEHOLDER = re.compile(r"\{(ref2?)\}")
_REFERENCE = re.compile(r"TS\d{14}")


def capture(step: Turn, text: str, captured: dict[str, str]) -> None:
    """{ref} / {ref2}: the first reference numbers not seen before (as the web replay)."""
    for parts in step.expect:
        for key in _PLACEHOLDER.findall(" ".join(parts)):
            if key not in captured:
                fresh = [m for m in _REFERENCE.findall(text) if m not in captured.values()]
                assert fresh, f"line {step.line}: no new reference in\n{text}"
                captured[key] = fresh[0]


def as_one_reply(step: Turn, reply: str | None, captured: dict[str, str]) -> None:
    """WeChat carries a turn's replies as one passive text: every expected part must be
    in it, reply after reply, in order; options are "回复 1 …" lines."""
    text = reply or ""
    position = 0
    for expected_parts in step.expect:
        start = position
        for part in expected_parts:
            for line in wechat_lines(fill(part, captured)):
                found = text.find(line, start)
                assert found >= 0, f"line {step.line} '> {step.says}': {line!r} not in\n{text}"
                position = max(position, found + len(line))
    if not step.expect:
        assert reply is None, f"line {step.line}: expected no reply, got\n{reply}"


class WechatParty:
    def __init__(self, bot: Bot, client: WechatClient) -> None:
        self.bot, self.client = bot, client
        self.seen: dict[str, int] = {}

    async def say(self, name: str, text: str) -> str | None:
        self.bot.clock.advance(seconds=3)
        return await self.client.say(name, text)

    async def pushes(self, name: str) -> list[str]:
        await drained(self.bot.parts)
        texts = self.bot.fake.texts_to(name)
        fresh = texts[self.seen.get(name, 0):]
        self.seen[name] = len(texts)
        return fresh

    async def invite(self, enterprise_id: str) -> str:
        async with self.bot.parts.db.unit_of_work() as uow:
            invitation = await invite_staff(uow, enterprise_id, "agent", self.bot.clock(),
                                            "客服小李")
            await uow.commit()
        return invitation.code


async def replay(bot: Bot, path: Path, mode: str) -> None:
    party = WechatParty(bot, bot.client(mode))
    captured: dict[str, str] = {}
    speaker = "consumer"
    for step in parse(path).steps:
        if isinstance(step, Turn):
            reply = await party.say(speaker, fill(step.says, captured))
            capture(step, reply or "", captured)
            as_one_reply(step, reply, captured)
        elif step.name == "as":
            speaker = step.arg
        elif step.name == "invite":
            captured["code"] = await party.invite(step.arg)
        elif step.name == "pushes":
            pushed = await party.pushes(step.arg)
            check_pushes(step, pushed, captured, path.name)
        else:
            raise AssertionError(f"{path.name}:{step.line}: !{step.name} not replayed here")


def check_pushes(step: Directive, pushed: list[str], captured: dict[str, str],
                 where: str) -> None:
    assert len(pushed) == len(step.expect), f"{where}:{step.line}: got pushes {pushed}"
    for expected_parts, text in zip(step.expect, pushed, strict=True):
        for part in expected_parts:
            for line in wechat_lines(fill(part, captured)):
                assert line in text, f"{where}:{step.line}: {line!r} not in push\n{text}"


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
async def test_negotiation_over_wechat(mode: str, sqlite_url: str, tmp_path: Path,
                                       fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        await replay(bot, TRANSCRIPTS / "negotiation.chat", mode)
        assert not fake_wechat.of("template/send")  # every window was open


async def test_intake_and_status_over_wechat(sqlite_url: str, tmp_path: Path,
                                             fake_wechat: FakeWechatApi) -> None:
    async with wechat_bot(sqlite_url, tmp_path, fake_wechat) as bot:
        await replay(bot, TRANSCRIPTS / "happy_rich_first_message.chat", "safe")
