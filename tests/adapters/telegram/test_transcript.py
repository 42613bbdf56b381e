"""A full intake replayed over Telegram, by webhook and by polling, with a pushed message.

The transcript is the web chat's own (``tests/conversations/transcripts``); a scripted
Telegram client types each ``>`` line, or taps the button carrying it when the bot's last
message offered one, and reads the bot's replies from the fake API's sendMessage calls.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.telegram_tables import telegram_sent
from tests.adapters.telegram.fake_api import Call
from tests.adapters.telegram.support import Client, TelegramWorld, telegram_world
from tests.conversations.transcript import Turn, check_turn, fill, parse

TRANSCRIPT = (Path(__file__).parents[2] / "conversations" / "transcripts"
              / "happy_rich_first_message.chat")


def shown(call: Call) -> str:
    """A sent message as the transcript writes it: the text, then "[key] label" buttons."""
    if not call.buttons:
        return call.text
    options = "  ".join(f"[{data}] {text.partition('. ')[2]}" for text, data in call.buttons)
    return f"{call.text}\n{options}"


async def replay(world: TelegramWorld, user: Client, path: Path) -> tuple[dict[str, str], int]:
    chat = str(user.chat_id)
    captured: dict[str, str] = {}
    taps = 0
    for step in parse(path).steps:
        assert isinstance(step, Turn), f"{path.name}: only '>' turns are replayed here"
        says = fill(step.says, captured)
        before = world.api.sent(chat)
        last = before[-1] if before else None
        if last is not None and says in {data for _, data in last.buttons}:
            update = user.tap(last, says)
            taps += 1
        else:
            update = user.message(says)
        await world.deliver(update)
        replies = [shown(c) for c in world.api.sent(chat)[len(before):]]
        check_turn(step, replies, captured, f"{path.name} over Telegram")
    return captured, taps


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_file_query_and_receive_a_push_over_telegram(mode: str, sqlite_url: str,
                                                           tmp_path: Path) -> None:
    async with telegram_world(sqlite_url, tmp_path, mode=mode) as world:
        user = Client()
        captured, taps = await replay(world, user, TRANSCRIPT)
        assert taps >= 3  # the choices were answered with inline buttons
        assert world.api.called("answerCallbackQuery")
        reference = captured["ref"]
        # A message pushed to the consumer about the case (e.g. relayed from the business).
        async with world.parts.db.unit_of_work() as uow:
            await uow.outbox.add("telegram", str(user.chat_id), {
                "text": f"【{reference}】商家：请问您方便哪天上门检修？", "case_ref": reference},
                world.clock())
            await uow.commit()
        world.parts.relay.wake()
        await world.settle()
        push = world.api.sent(str(user.chat_id))[-1]
        assert push.text.startswith(f"【{reference}】商家")
        async with world.parts.db.unit_of_work() as uow:
            mapped = (await uow.connection.execute(
                select(telegram_sent.c.case_ref).where(
                    telegram_sent.c.message_id == push.result_id))).scalar_one()
        assert mapped == reference  # a reply to this message routes to the case
