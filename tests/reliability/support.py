"""The application with every channel on (web chat, inbox, API, WeChat, Telegram) against
loopback fakes, and the small wire helpers the reliability tests share."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.sql.schema import Table

from bot.app import Components
from bot.config import TelegramConfig, WechatConfig
from storage.tables import (
    api_keys,
    case_messages,
    complaint_events,
    complaints,
    conversations,
    inbound_receipts,
    outbox,
    staff_bindings,
    staff_sessions,
)
from tests.reliability.fakes import (
    TELEGRAM_TOKEN,
    WECHAT_APP_ID,
    WECHAT_APP_SECRET,
    FaultyTelegramApi,
    FaultyWechatApi,
)
from tests.reliability.wechat_wire import AES_KEY, TOKEN
from tests.support.app import app_config, http_client
from tests.support.clock import FakeClock
from tests.support.server_process import free_port

TELEGRAM_SECRET = "reliability-Webhook_secret"
RECORDS: tuple[Table, ...] = (inbound_receipts, outbox, conversations, complaints,
                              complaint_events, case_messages, staff_bindings, staff_sessions,
                              api_keys)
"""Tables a refused request must leave as they were."""
_update_ids = itertools.count(10_000)


@dataclass
class Site:
    client: TestClient[web.Request, web.Application]
    parts: Components
    clock: FakeClock
    wechat: FaultyWechatApi
    telegram: FaultyTelegramApi


@asynccontextmanager
async def full_site(url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Site]:
    wechat, telegram = FaultyWechatApi(), FaultyTelegramApi()
    await wechat.start()
    await telegram.start()
    config = app_config(
        url, tmp_path,
        wechat=WechatConfig(enabled=True, token=TOKEN, app_id=WECHAT_APP_ID,
                            app_secret=WECHAT_APP_SECRET, encoding_aes_key=AES_KEY,
                            api_base=wechat.url, spool_dir=str(tmp_path / "spool")),
        telegram=TelegramConfig(enabled=True, token=TELEGRAM_TOKEN,
                                webhook_secret=TELEGRAM_SECRET, api_base=telegram.url))
    try:
        async with http_client(config, clock) as (client, parts):
            yield Site(client, parts, clock, wechat, telegram)
    finally:
        await telegram.close()
        await wechat.close()


def telegram_update(user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "王芳", "language_code": "zh-hans"}
    return {"update_id": next(_update_ids) if update_id is None else update_id,
            "message": {"message_id": next(_update_ids), "date": 1_700_000_000,
                        "chat": {"id": user_id, "type": "private", "first_name": "王芳"},
                        "from": person, "text": text}}


async def record_counts(parts: Components) -> dict[str, int]:
    async with parts.db.unit_of_work() as uow:
        return {table.name: int((await uow.connection.execute(
            select(func.count()).select_from(table))).scalar_one()) for table in RECORDS}


def server_settings(tmp_path: Path, wechat: FaultyWechatApi, **extra: str) -> dict[str, str]:
    """Environment of ``odrbot serve`` in a child process: SQLite in ``tmp_path``, WeChat
    on (plain mode) against the fake API, a free loopback port."""
    return {
        "ODRBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'odrbot.sqlite3'}",
        "ODRBOT_SERVER_PORT": str(free_port()), "ODRBOT_MEDIA_DIR": str(tmp_path / "media"),
        "ODRBOT_WECHAT_ENABLED": "1", "ODRBOT_WECHAT_TOKEN": TOKEN,
        "ODRBOT_WECHAT_APP_ID": WECHAT_APP_ID, "ODRBOT_WECHAT_APP_SECRET": WECHAT_APP_SECRET,
        "ODRBOT_WECHAT_API_BASE": wechat.url,
        "ODRBOT_WECHAT_SPOOL_DIR": str(tmp_path / "spool"), **extra}


def hold_write_lock(path: str, held: threading.Event, release: threading.Event) -> None:
    """Another process's writer on the SQLite file: BEGIN IMMEDIATE, kept until told."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(timeout=30.0)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
