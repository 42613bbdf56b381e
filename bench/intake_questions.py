"""How many questions the intake asks (besides confirmation and consent) for first
messages that say more or less (issues 2 and 5).

    .venv/bin/python -m bench.intake_questions

Answers whatever is asked from a fixed table and counts the questions until the
confirmation summary, for a rich, a medium and a bare first message."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

SAMPLES = {
    "rich": "我上周五在鑫汇购物广场花了3299元买了一台洗衣机，用了两天就不脱水了，要求退货退款",
    "medium": "在万象城买的羽绒服穿了一周就大量跑绒，想退货",
    "bare": "我要投诉",
}
ANSWERS = {
    "merchant": "鑫汇购物广场", "pick": "1", "product": "洗衣机", "facts": "用了两天就不脱水了",
    "purchase_date": "11月20日", "amount": "3299元", "channel": "1", "demands": "1 2",
    "contact": "王芳 13912345678", "consumer_name": "王芳", "consumer_phone": "13912345678",
    "consumer_address": "鞍山市铁东区", "merchant_address": "鞍山市铁东区",
}


async def count(first: str) -> tuple[int, list[str]]:
    tmp = Path(tempfile.mkdtemp())
    clock = FakeClock()
    async with running_app(app_config(f"sqlite+aiosqlite:///{tmp / 'q.sqlite3'}", tmp),
                           clock) as (_app, parts):
        chat = Chat(parts, clock)
        await chat.say(first)
        asked: list[str] = []
        for _ in range(20):
            state = await chat.state()
            step = str(state.get("step"))
            if step == "confirm" or not state.get("flow"):
                return int(state.get("questions", 0)), asked  # type: ignore[call-overload]
            asked.append(step)
            await chat.say(ANSWERS[step])
    raise RuntimeError("the intake did not reach the summary")


async def main() -> None:
    print("| first message | questions | asked |\n|---|---|---|")  # noqa: T201
    for name, text in SAMPLES.items():
        questions, asked = await count(text)
        print(f"| {name}: {text} | {questions} | {', '.join(asked)} |")  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main())
