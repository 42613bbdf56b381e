"""Relay latency (issue 6): a staff message accepted by our server → the consumer's
outbound API call, with 100 negotiations going on at once.

    .venv/bin/python -m bench.relay_latency [--negotiations 100] [--rate 25] [--seconds 8]

Staff of one enterprise answer 100 open cases through the JSON API (POST
/api/v1/complaints/{ref}/messages) at a steady rate spread over the cases; the consumers
are on Telegram, whose Bot API is a loopback fake that notes when each sendMessage
arrives. Latency = arrival at the fake − the moment our API answered (the message is
committed then). The rate stays under Telegram's 30 messages/s per bot, which the sender
respects (a faster offer would measure Telegram's budget, not us)."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import COMPONENTS, build_app
from bot.config import TelegramConfig
from bot.domain.complaint import Filing
from bot.domain.states import Status
from tests.adapters.telegram.fake_api import TOKEN, FakeBotApi
from tests.support.app import app_config, seed_demo


def now() -> datetime:
    return datetime.now(UTC)


async def main(negotiations: int, rate: float, seconds: float) -> None:
    fake = FakeBotApi(clock=time.perf_counter)
    await fake.start()
    tmp = Path(tempfile.mkdtemp())
    config = app_config(f"sqlite+aiosqlite:///{tmp / 'relay.sqlite3'}", tmp)
    config = replace(config, telegram=TelegramConfig(
        enabled=True, token=TOKEN, webhook_secret="bench-secret", mode="webhook",
        api_base=fake.api_base))
    app = build_app(config, now)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    parts = app[COMPONENTS]
    key = secrets.token_urlsafe(24)
    refs = await _seed(parts, negotiations, key)
    accepted: dict[str, float] = {}
    total = int(rate * seconds)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        async def one(k: int) -> None:
            await asyncio.sleep(k / rate)
            text = f"第 {k} 条回复"
            async with http.post(f"/api/v1/complaints/{refs[k % negotiations]}/messages",
                                 json={"text": text},
                                 headers={"Authorization": f"Bearer {key}"}) as answer:
                assert answer.status == 200, await answer.text()
            accepted[text] = time.perf_counter()

        await asyncio.gather(*(one(k) for k in range(total)))
        deadline = time.perf_counter() + 30
        while len(_arrivals(fake)) < total and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    arrivals = _arrivals(fake)
    latencies = sorted((arrivals[t] - accepted[t]) * 1000 for t in accepted if t in arrivals)
    await runner.cleanup()
    await fake.close()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"| {negotiations} | {rate:g}/s | {len(latencies)}/{total} | "  # noqa: T201
          f"{statistics.median(latencies):.1f} | {p99:.1f} | {latencies[-1]:.1f} |")


def _arrivals(fake: FakeBotApi) -> dict[str, float]:
    found: dict[str, float] = {}
    for call in fake.sent():
        for line in call.text.splitlines():
            if "条回复" in line:
                found.setdefault(line.split("：", 1)[-1].strip(), call.at)
    return found


async def _seed(parts: object, negotiations: int, key: str) -> list[str]:
    from bot.app import Components

    assert isinstance(parts, Components)
    stamp = now()
    await seed_demo(parts, lambda: stamp)  # type: ignore[arg-type]
    refs = []
    async with parts.db.unit_of_work() as uow:
        await uow.staff.add_api_key("as-xinhui", key, "bench", stamp)
        for n in range(negotiations):
            ident = await uow.identities.get_or_create("telegram", str(5000 + n), stamp, "zh")
            filing = Filing("as-xinhui", "鑫汇", "", "洗衣机", date(2026, 11, 20), 3299.0,
                            "offline", "不脱水", ("refund",), f"顾客{n}", "13900000000",
                            "鞍山", "G01", "quality")
            ref = f"TS20261122{n + 1:06d}"
            await uow.complaints.insert(filing, reference=ref, consumer_id=ident.consumer_id,
                                        status=Status.ACCEPTED, source_channel="telegram",
                                        now=stamp, deadline=date(2026, 12, 7))
            refs.append(ref)
        await uow.commit()
    return refs


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--negotiations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    print("| negotiations | offered | delivered | p50 ms | p99 ms | max ms |")  # noqa: T201
    print("|---|---|---|---|---|---|")  # noqa: T201
    asyncio.run(main(args.negotiations, args.rate, args.seconds))
