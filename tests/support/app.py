"""Start the real application (composition root) against a test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import COMPONENTS, Components, build_app
from bot.config import Config, DatabaseConfig, MediaConfig
from bot.core.messages import Channel, InboundMessage, MessageKind, OutboundMessage
from bot.services.registry_import import read_registry
from tests.support.clock import FakeClock

DEMO_REGISTRY = Path(__file__).resolve().parents[2] / "bot" / "demo" / "enterprises.jsonl"


def app_config(url: str, tmp_path: Path, **sections: object) -> Config:
    config = Config(database=DatabaseConfig(url=url), media=MediaConfig(dir=str(tmp_path / "media")))
    return replace(config, **sections)  # type: ignore[arg-type]


@asynccontextmanager
async def running_app(config: Config, clock: FakeClock, seed: bool = True
                      ) -> AsyncIterator[tuple[web.Application, Components]]:
    app = build_app(config, clock)
    runner = web.AppRunner(app)
    await runner.setup()
    parts = app[COMPONENTS]
    try:
        if seed:
            await seed_demo(parts, clock)
        yield app, parts
    finally:
        await runner.cleanup()


def render(message: OutboundMessage) -> str:
    """A reply as a transcript shows it: the text, then the numbered options."""
    if not message.choices:
        return message.text
    options = "  ".join(f"[{c.key}] {c.label}" for c in message.choices)
    return f"{message.text}\n{options}"


class Chat:
    """One consumer talking to the bot through the real dispatcher."""

    def __init__(self, parts: Components, clock: FakeClock, user: str = "consumer-1",
                 channel: Channel = Channel.WEB) -> None:
        self.parts = parts
        self.clock = clock
        self.user = user
        self.channel = channel
        self.sent = 0

    def message(self, text: str, **extra: object) -> InboundMessage:
        self.sent += 1
        self.clock.advance(seconds=3)
        return InboundMessage(channel=self.channel, user_id=self.user,
                              message_id=f"{self.user}-{self.sent}", text=text,
                              received_at=self.clock(), **extra)  # type: ignore[arg-type]

    async def say(self, text: str) -> list[str]:
        outcome = await self.parts.dispatcher(self.message(text))
        return [render(r) for r in outcome.replies]

    async def send(self, message: InboundMessage) -> list[str]:
        outcome = await self.parts.dispatcher(message)
        return [render(r) for r in outcome.replies]

    async def state(self) -> dict[str, object]:
        async with self.parts.db.unit_of_work() as uow:
            raw = await uow.conversations.load(f"{self.channel.value}:{self.user}")
        return raw or {}


def image_message(chat: Chat, path: str, sha: str) -> InboundMessage:
    from bot.core.messages import MediaRef

    return chat.message("", kind=MessageKind.IMAGE, media=MediaRef(path, sha))


async def seed_demo(parts: Components, clock: FakeClock) -> None:
    rows = read_registry(DEMO_REGISTRY)
    async with parts.db.unit_of_work() as uow:
        for row in rows:
            await uow.enterprises.upsert(row, clock())
        await uow.commit()
    await parts.registry.load(parts.db)


@asynccontextmanager
async def http_client(config: Config, clock: FakeClock
                      ) -> AsyncIterator[tuple[TestClient[web.Request, web.Application],
                                               Components]]:
    """The real application behind a loopback HTTP server, with a client for it."""
    app = build_app(config, clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        parts = app[COMPONENTS]
        await seed_demo(parts, clock)
        yield client, parts
