"""The composition root: one function builds the whole application from the config.

Tests call the same builder, pointing the platform sections' ``api_base`` at loopback
fakes. Nothing runs at import time; IO starts in the aiohttp startup context.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

import nlp
from bot import logmask
from bot.adapters.web.hub import WebHub, WebSender
from bot.adapters.web.routes import WebChat
from bot.channels import install_channels
from bot.config import Config
from bot.core.errors import TemporarilyUnavailable
from bot.core.messages import Channel, InboundMessage
from bot.core.ports import PassiveAnswer, Sender, TurnOutcome
from bot.dispatcher import Dispatcher
from bot.metrics import Metrics
from bot.pages.admin import AdminDashboard
from bot.pages.escalation import EscalationPage, pack_link
from bot.refresher import RollupRefresher
from bot.registry import EnterpriseRegistry
from bot.relay import OutboxRelay
from bot.scheduler import Scheduler
from bot.services.fallback import reroute
from bot.services.feed import OutboxFeed
from bot.services.timing import Timing
from bot.services.turn_services import ServiceSettings
from storage.checkpoint import WalCheckpointer
from storage.engine import create_engine
from storage.messaging import OutboxRepository
from storage.migrate import upgrade
from storage.uow import Database

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Components:
    config: Config
    db: Database
    registry: EnterpriseRegistry
    timing: Timing
    dispatcher: Dispatcher
    relay: OutboxRelay
    scheduler: Scheduler
    hub: WebHub
    inbox_hub: WebHub
    metrics: Metrics
    clock: Callable[[], datetime] = utc_now
    senders: dict[Channel, Sender] = field(default_factory=dict)
    nlp_ready: bool = False
    secret: str = ""
    """Signing key for links: [server] secret_key, else generated once and kept in kv."""


COMPONENTS = web.AppKey("components", Components)


class MeteredDispatch:
    """The dispatcher as adapters see it, counting and timing every inbound message."""

    def __init__(self, dispatcher: Dispatcher, metrics: Metrics) -> None:
        self._dispatcher = dispatcher
        self._metrics = metrics

    async def __call__(self, message: InboundMessage, *, hold_replies_seconds: float = 0.0,
                       passive: PassiveAnswer | None = None) -> TurnOutcome:
        started = time.perf_counter()
        channel = message.channel.value
        try:
            outcome = await self._dispatcher(message, hold_replies_seconds=hold_replies_seconds,
                                             passive=passive)
        except Exception:
            self._metrics.inbound.labels(channel, "unavailable").inc()
            raise
        self._metrics.turn_seconds.labels(channel).observe(time.perf_counter() - started)
        self._metrics.inbound.labels(channel, "duplicate" if outcome.duplicate else "ok").inc()
        return outcome


def lean_libraries() -> None:
    """pypinyin loads 47,000 phrase readings (about 50 MB resident) when first imported
    unless told not to; the matcher reads only single characters' readings (nlp/match_text)
    and never changes them, so neither the phrases nor a private copy are needed
    (issue 8: one process ≤ 250 MB). Must run before pypinyin's first import."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")


def build_components(config: Config, clock: Callable[[], datetime] = utc_now) -> Components:
    lean_libraries()
    db = Database(create_engine(config.database.url, echo=config.database.echo))
    timing = Timing.from_config(config.odr)
    registry = EnterpriseRegistry()
    holder: list[Components] = []
    settings = ServiceSettings(
        timing, registry,
        pack_link=lambda ref: pack_link(config.base_url, holder[0].secret, ref))
    hub, inbox_hub = WebHub(), WebHub()
    db.on_pull = lambda channel, recipient: (
        hub if channel == Channel.WEB.value else inbox_hub).notify(recipient)
    # The web chat and the enterprise inbox pull their messages from the outbox feed;
    # "sending" wakes their open event streams.
    senders: dict[Channel, Sender] = {Channel.WEB: WebSender(hub),
                                      Channel.INBOX: WebSender(inbox_hub)}
    metrics = Metrics()
    relay = OutboxRelay(db, senders, clock, config.relay, on_result=metrics.record_send,
                        fallback=reroute)
    dispatcher = Dispatcher(db, settings, clock, on_commit=relay.wake, on_held=relay.due_later)
    scheduler = Scheduler(db, timing, clock, on_commit=relay.wake)
    parts = Components(config, db, registry, timing, dispatcher, relay, scheduler, hub, inbox_hub,
                       metrics, clock, senders, secret=config.server.secret_key)
    holder.append(parts)
    return parts


def build_app(config: Config, clock: Callable[[], datetime] = utc_now,
              migrate: bool = True) -> web.Application:
    parts = build_components(config, clock)
    app = web.Application(client_max_size=1024 * 1024 * 21, middlewares=[with_request_id])
    app[COMPONENTS] = parts
    dispatch = MeteredDispatch(parts.dispatcher, parts.metrics)
    chat = WebChat(dispatch, OutboxFeed(parts.db, Channel.WEB), parts.hub, config.media.dir,
                   secure_cookies=config.base_url.startswith("https://"))
    app.add_routes(chat.routes())
    app.add_routes(EscalationPage(parts.db, lambda: parts.secret, clock).routes())
    app.add_routes(AdminDashboard(parts.db, clock, config.base_url.startswith("https://"))
                   .routes())
    app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz),
                    web.get("/metrics", metrics)])
    app.cleanup_ctx.append(_lifecycle(migrate))
    app.on_shutdown.append(_close_streams)
    install_channels(app, dispatch)
    return app


def _lifecycle(migrate: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        parts = app[COMPONENTS]
        if migrate:
            await upgrade(parts.db.engine)
        if not parts.secret:
            parts.secret = await _stored_secret(parts)
        count = await parts.registry.load(parts.db)
        log.info("enterprise registry loaded: %d enrolled", count)
        # Not overlapped with the work above: tried, no gain measured (the GIL; issue 8).
        await asyncio.to_thread(nlp.warm_up)
        # The dictionaries and model just loaded live as long as the process: keep them
        # out of the garbage collector's full passes (seen at 34-130 ms under load).
        gc.freeze()
        parts.nlp_ready = True
        relay = asyncio.create_task(parts.relay.run(), name="outbox-relay")
        clock = asyncio.create_task(parts.scheduler.run(), name="odr-clock")
        rollups = RollupRefresher(parts.db, parts.clock)
        refresher = asyncio.create_task(rollups.run(), name="rollup-refresh")
        checkpoints = _wal_checkpoints(parts.db)
        try:
            yield
        finally:
            parts.relay.stop()
            parts.scheduler.stop()
            rollups.stop()
            if checkpoints is not None:
                checkpoints.cancel()
            await asyncio.gather(relay, clock, refresher)
            if checkpoints is not None:
                await asyncio.gather(checkpoints, return_exceptions=True)
            await parts.db.dispose()

    return lifecycle


def _wal_checkpoints(db: Database) -> asyncio.Task[None] | None:
    """SQLite file databases: the WAL checkpoint off the event loop (storage/checkpoint.py)."""
    path = db.engine.url.database
    if not db.sqlite or not path or path == ":memory:":
        return None
    return asyncio.create_task(WalCheckpointer(path).run(), name="wal-checkpoint")


@web.middleware
async def with_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request id in every log line of the request, and in the answer's headers."""
    given = request.headers.get("X-Request-ID", "")
    rid = given if 0 < len(given) <= 64 and given.isascii() and given.isprintable() \
        else secrets.token_hex(6)
    token = logmask.request_id.set(rid)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["X-Request-ID"] = rid
        raise
    except (DBAPIError, OSError, TemporarilyUnavailable) as exc:
        # The database is away (any page, any channel): a retryable answer, never a 500.
        log.warning("storage unavailable for %s %s: %s", request.method, request.path,
                    type(exc).__name__)
        response = web.json_response(
            {"error": {"code": "unavailable", "message": "temporarily unavailable, retry"}},
            status=503, headers={"Retry-After": "2"})
    finally:
        logmask.request_id.reset(token)
    response.headers["X-Request-ID"] = rid
    return response


async def _close_streams(app: web.Application) -> None:
    parts = app[COMPONENTS]
    parts.hub.close()
    parts.inbox_hub.close()


async def _stored_secret(parts: Components) -> str:
    """One signing key for every worker: the first to start creates it."""
    async with parts.db.unit_of_work() as uow:
        secret = await uow.kv.get("server_secret", parts.clock())
        if secret is None:
            secret = secrets.token_urlsafe(32)
            await uow.kv.put("server_secret", secret, None)
            await uow.commit()
    return secret


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    parts = request.app[COMPONENTS]
    try:
        async with parts.db.engine.connect() as conn:
            await conn.execute(sql("SELECT 1"))
        database = True
    except Exception:
        database = False
    ready = database and parts.nlp_ready
    return web.json_response({"ready": ready, "database": database, "nlp": parts.nlp_ready,
                              "pid": os.getpid()},  # which worker answered (several)
                             status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    parts = request.app[COMPONENTS]
    async with parts.db.engine.connect() as conn:
        depth = await OutboxRepository(conn).depth(parts.clock())
    for channel in {c.value for c in Channel} | set(depth.pending):
        parts.metrics.outbox_depth.labels(channel).set(depth.pending.get(channel, 0))
        parts.metrics.dead_letters.labels(channel).set(depth.dead.get(channel, 0))
    parts.metrics.outbox_age.set(depth.oldest_seconds)
    body = generate_latest(parts.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
