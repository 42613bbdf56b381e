"""What an update becomes: the case a reply belongs to comes from our own record."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram.client import BotClient, make_client
from bot.adapters.telegram.limits import RateLimiter
from bot.adapters.telegram.ports import BotIdentity
from bot.adapters.telegram.updates import UpdateHandler
from bot.core.messages import Channel, InboundMessage, MessageKind
from bot.core.ports import PassiveAnswer, TurnOutcome
from bot.services.telegram_store import SqlTelegramStore
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import Database
from tests.adapters.telegram.fake_api import BOT_ID, BOT_USERNAME, TOKEN, FakeBotApi
from tests.adapters.telegram.support import Client
from tests.support.clock import FakeClock

REF = "TS20261123000007"


class RecordingDispatch:
    """A ``Dispatch`` that keeps what the adapter produced."""

    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []

    async def __call__(self, message: InboundMessage, *, hold_replies_seconds: float = 0.0,
                       passive: PassiveAnswer | None = None) -> TurnOutcome:
        self.messages.append(message)
        return TurnOutcome((), ())


@dataclass
class Rig:
    handler: UpdateHandler
    dispatch: RecordingDispatch
    store: SqlTelegramStore
    api: FakeBotApi

    async def handle(self, update: dict[str, Any]) -> InboundMessage | None:
        before = len(self.dispatch.messages)
        await self.handler.handle(Update.de_json(update, None))
        return self.dispatch.messages[-1] if len(self.dispatch.messages) > before else None


@pytest.fixture
async def rig(database_url: str, tmp_path: Path) -> AsyncIterator[Rig]:
    db = Database(create_engine(database_url))
    await upgrade(db.engine)
    api = FakeBotApi()
    await api.start()
    client: BotClient = make_client(TOKEN, api.api_base)
    clock = FakeClock()
    store = SqlTelegramStore(db, clock, lambda: None)
    dispatch = RecordingDispatch()
    handler = UpdateHandler(client.bot, dispatch, store, RateLimiter(), str(tmp_path), clock)
    handler.me = BotIdentity(BOT_ID, BOT_USERNAME)
    try:
        yield Rig(handler, dispatch, store, api)
    finally:
        await handler.drain()
        await client.close()
        await api.close()
        await db.dispose()


async def test_a_reply_to_a_relayed_message_names_its_case(rig: Rig) -> None:
    staff = Client(user_id=31337, lang="zh-hans")
    await rig.store.record_sent(str(staff.chat_id), 901, REF)
    await rig.store.record_sent(str(staff.chat_id), 902, None)
    replied = await rig.handle(staff.reply_to("已联系消费者，明天上门", message_id=901))
    assert replied is not None
    assert (replied.reply_to, replied.text, replied.user_id) == (REF, "已联系消费者，明天上门",
                                                                 "31337")
    assert replied.channel is Channel.TELEGRAM
    assert replied.kind is MessageKind.TEXT
    no_case = await rig.handle(staff.reply_to("好的", message_id=902))
    assert no_case is not None
    assert no_case.reply_to is None
    unknown = await rig.handle(staff.reply_to("好的", message_id=903))
    assert unknown is not None
    assert unknown.reply_to is None
    # The same message id in another chat is another message.
    other = Client(user_id=555)
    elsewhere = await rig.handle(other.reply_to("好的", message_id=901))
    assert elsewhere is not None
    assert elsewhere.reply_to is None


async def test_forward_metadata_never_routes_a_message(rig: Rig) -> None:
    staff = Client(user_id=31337)
    forged = staff.message(f"回复 {REF}", forward_origin={
        "type": "user", "date": 1_700_000_000,
        "sender_user": {"id": BOT_ID, "is_bot": True, "first_name": "ODR"}})
    message = await rig.handle(forged)
    assert message is not None
    assert message.reply_to is None


async def test_identity_language_and_dedupe_keys(rig: Rig) -> None:
    user = Client(lang="en-US")
    update = user.message("/status ts20261123000007")
    message = await rig.handle(update)
    assert message is not None
    assert (message.message_id, message.language) == (str(update["update_id"]), "en-US")
    group = Client(user_id=9, chat_id=-1005)
    addressed = await rig.handle(group.message(f"/status@{BOT_USERNAME} {REF}", entities=[
        {"type": "bot_command", "offset": 0, "length": len(BOT_USERNAME) + 8}]))
    assert addressed is not None
    assert (addressed.user_id, addressed.text) == ("-1005", f"/status {REF}")


async def test_a_start_link_parameter_is_passed_to_the_handlers(rig: Rig) -> None:
    message = await rig.handle(Client().message("/start bind_7KQ2XZ"))
    assert message is not None
    assert message.text == "/start bind_7KQ2XZ"


async def test_files_image_documents_are_evidence_others_are_not(rig: Rig,
                                                                 tmp_path: Path) -> None:
    user = Client()
    gif = b"GIF89a" + b"\x00" * 32
    rig.api.add_file("doc1", gif, path="documents/file_7.gif")
    image = await rig.handle(user.document("doc1", len(gif), mime="image/gif"))
    assert image is not None
    assert image.kind is MessageKind.IMAGE
    assert image.media is not None
    assert image.media.content_type == "image/gif"
    assert image.media.sha256 == hashlib.sha256(gif).hexdigest()
    assert Path(image.media.path).is_relative_to(tmp_path / "telegram")
    pdf = await rig.handle(user.document("doc2", 1000, mime="application/pdf"))
    assert pdf is not None
    assert pdf.kind is MessageKind.UNSUPPORTED
    assert [c.params["file_id"] for c in rig.api.called("getFile")] == ["doc1"]
