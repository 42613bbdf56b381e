"""The WeChat official-account channel, wired: callback routes, the API client with the
token shared through the database, the customer-service sender for the relay, and the
``odrbot wechat menu`` command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from bot.adapters.wechat.api import WechatApi, WechatApiError, WechatTransportError
from bot.adapters.wechat.protocol import WechatCodec
from bot.adapters.wechat.routes import WechatCallback
from bot.adapters.wechat.sender import WechatSender
from bot.adapters.wechat.texts import MENU
from bot.config import Config, ConfigError, WechatConfig, wechat_aes_key
from bot.core.messages import Channel
from bot.core.ports import Dispatch
from bot.services.spool import InboundSpool
from bot.services.wechat_media import KvMediaCache
from bot.services.wechat_outbox import SqlPassiveOutbox, SqlServiceWindow
from bot.services.wechat_token import KvTokenCache
from storage.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WechatChannel:
    api: WechatApi
    callback: WechatCallback
    sender: WechatSender


def build(config: Config, db: Database, clock: Callable[[], datetime], dispatch: Dispatch,
          wake: Callable[[], None], on_late: Callable[[], None] = lambda: None
          ) -> WechatChannel:
    wechat = config.wechat
    codec = WechatCodec(wechat.token, wechat.app_id, checked_aes_key(wechat))
    api = build_api(wechat, db, clock)
    callback = WechatCallback(codec, dispatch, SqlPassiveOutbox(db, clock, wake),
                              InboundSpool(wechat.spool_dir), api, config.media.dir, clock,
                              wechat.reply_budget_seconds, on_late)
    sender = WechatSender(api, SqlServiceWindow(db, clock), wechat.template_id,
                          KvMediaCache(db, clock, wechat.app_id))
    return WechatChannel(api, callback, sender)


def build_api(wechat: WechatConfig, db: Database, clock: Callable[[], datetime]) -> WechatApi:
    tokens = KvTokenCache(db, clock, wechat.app_id)
    return WechatApi(wechat.api_base, wechat.app_id, wechat.app_secret, tokens,
                     wechat.token_endpoint)


def checked_aes_key(wechat: WechatConfig) -> str:
    """Fail at start, naming the key, not at the first encrypted request (issue 3)."""
    if wechat.encoding_aes_key:
        wechat_aes_key(wechat.encoding_aes_key)
    for key in ("token", "app_id", "app_secret"):
        if not getattr(wechat, key):
            raise ConfigError(f"[wechat] {key}: required when [wechat] enabled = true")
    return wechat.encoding_aes_key


def install(app: web.Application, dispatch: Dispatch) -> None:
    from bot.app import COMPONENTS

    parts = app[COMPONENTS]
    channel = build(parts.config, parts.db, parts.clock, dispatch, parts.relay.wake,
                    parts.metrics.wechat_fallbacks.inc)
    app.add_routes(channel.callback.routes())
    parts.senders[Channel.WECHAT] = channel.sender

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await channel.api.start()
        replays = asyncio.create_task(channel.callback.replay_forever(), name="wechat-replay")
        try:
            yield
        finally:
            replays.cancel()
            await asyncio.gather(replays, return_exceptions=True)
            await channel.callback.close()

    async def close_api(app: web.Application) -> None:
        await channel.api.close()

    app.cleanup_ctx.append(lifecycle)
    # on_cleanup runs after every cleanup context, so after the relay has stopped: the
    # relay may still be sending through this client while the application shuts down.
    app.on_cleanup.append(close_api)
    log.info("WeChat official account channel installed at /wechat")


def menu_buttons() -> list[dict[str, str]]:
    return [{"type": "click", "name": name, "key": key} for name, key in MENU]


async def create_menu(config: Config) -> int:
    """``odrbot wechat menu``: 投诉 / 查询 / 帮助 as CLICK buttons (click:<key> events)."""
    from storage.engine import create_engine
    from storage.migrate import upgrade

    checked_aes_key(config.wechat)
    db = Database(create_engine(config.database.url))
    api = build_api(config.wechat, db, lambda: datetime.now(UTC))
    try:
        await upgrade(db.engine)  # the token cache lives in the database
        await api.start()
        await api.create_menu(menu_buttons())
    except (WechatApiError, WechatTransportError) as exc:
        log.error("creating the WeChat menu failed: %s", exc)
        return 1
    finally:
        await api.close()
        await db.dispose()
    log.info("WeChat menu created: %s", " / ".join(name for name, _ in MENU))
    return 0

