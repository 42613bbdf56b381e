"""``GET|POST /wechat``: where a WeChat message enters.

WeChat waits 5 seconds for the answer and then retries, three times in all. So: verify,
parse, dedupe (the dispatcher, on MsgId) before any side effect, run the turn within the
reply budget and answer it as the passive reply; a turn that is not done in time goes
on in the background and its replies are sent through the customer-service API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.adapters.wechat.api import WechatApi, WechatApiError, WechatTransportError
from bot.adapters.wechat.parse import Action, Delivery, parse
from bot.adapters.wechat.ports import PassiveOutbox
from bot.adapters.wechat.protocol import MAX_BODY_BYTES, CallbackQuery, Refused, WechatCodec
from bot.adapters.wechat.reply import compose, fitting_prefix, reply_xml, split
from bot.core.errors import TemporarilyUnavailable
from bot.core.media import MediaRejected, store_image
from bot.core.messages import Channel, InboundMessage, MediaRef, MessageKind
from bot.core.ports import Dispatch, InboundJournal, PassiveAnswer, TurnOutcome

log = logging.getLogger(__name__)
HOLD_MARGIN_SECONDS = 2.0
"""Replies stay reserved for the passive answer this much past the budget; then the relay
may send them (the answer was not given)."""
SUCCESS = "success"
REPLAY_SECONDS = 5.0
"""How often kept messages (answered late, turn not yet stored) are looked at again."""


class WechatCallback:
    def __init__(self, codec: WechatCodec, dispatch: Dispatch, outbox: PassiveOutbox,
                 journal: InboundJournal, api: WechatApi, media_dir: str,
                 clock: Callable[[], datetime], budget_seconds: float = 4.0,
                 on_late: Callable[[], None] = lambda: None) -> None:
        self._codec = codec
        self._dispatch = dispatch
        self._outbox = outbox
        self._journal = journal
        self._on_late = on_late
        """Told of each turn that missed the reply budget (a metric)."""
        self._api = api
        self._media_dir = media_dir
        self._clock = clock
        self._budget = budget_seconds
        self._late: set[asyncio.Task[None]] = set()
        self._late_ids: set[str] = set()
        """Message ids of late turns still running here (not for a replay to take)."""

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/wechat", self.verify), web.post("/wechat", self.receive)]

    async def verify(self, request: web.Request) -> web.Response:
        """The console's server check: echo ``echostr`` when the signature is ours."""
        try:
            query = CallbackQuery.of(request.query, verification=True)
            self._codec.verify(query)
        except Refused as exc:
            return web.Response(status=exc.status, text=exc.reason)
        return web.Response(text=query.echostr)

    async def receive(self, request: web.Request) -> web.Response:
        started = asyncio.get_running_loop().time()
        try:
            query = CallbackQuery.of(request.query)
            self._codec.verify(query)
            delivery = parse(self._codec.open(query, await _body(request)))
        except Refused as exc:
            log.info("WeChat callback refused (%s): %s", exc.status, exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        try:
            content = await self._answer(delivery, started + self._budget)
        except TemporarilyUnavailable:  # nothing recorded: WeChat delivers it again
            return web.Response(status=503, text="temporarily unavailable",
                                headers={"Retry-After": "5"})
        if content is None or delivery.source is None:
            return web.Response(text=SUCCESS)
        xml = self._codec.seal(query, reply_xml(delivery.source, content))
        return web.Response(text=xml, content_type="application/xml")

    async def close(self) -> None:
        """At shutdown: let turns that outlived their reply budget finish."""
        if self._late:
            await asyncio.wait(self._late, timeout=10.0)

    async def _answer(self, delivery: Delivery, deadline: float) -> str | None:
        if delivery.action == Action.UNSUBSCRIBE:
            await self._outbox.unsubscribed(delivery.openid)
            return None
        if delivery.action == Action.IGNORE:
            return None
        message = await self._inbound(delivery)
        passive = PassiveAnswer(fitting_prefix, deadline) if delivery.wants_reply else None
        turn = asyncio.ensure_future(self._dispatch(
            message, hold_replies_seconds=self._budget + HOLD_MARGIN_SECONDS, passive=passive))
        remaining = deadline - asyncio.get_running_loop().time()
        # asyncio.wait, unlike wait_for, leaves the turn running when time is up (and
        # when this request is cancelled), without a shield's extra future per message.
        done, _ = await asyncio.wait((turn,), timeout=max(remaining, 0.0))
        if not done:
            # "success" tells WeChat never to deliver it again: keep it durably first.
            self._on_late()
            self._late_ids.add(message.message_id)
            kept = await self._journal.keep(message)
            self._finish_late(turn, message)  # then forgets it, once stored
            if not kept:  # WeChat must deliver it again
                raise TemporarilyUnavailable("the late message could not be kept") from None
            return None
        outcome = turn.result()
        if not delivery.wants_reply:
            return None
        return await self._passive(delivery.openid, outcome)

    async def _passive(self, openid: str, outcome: TurnOutcome) -> str | None:
        """Take this turn's replies (and, for a new message, what was held for the user)
        out of the outbox and render them as one text; the relay sends what did not fit."""
        current = set(outcome.outbox_ids)
        if outcome.carried is not None:  # taken by the turn itself, in its transaction
            taken = list(outcome.carried)
        else:
            try:
                taken = await self._outbox.take(openid, outcome.outbox_ids,
                                                held=not outcome.duplicate, fit=fitting_prefix)
            except Exception:  # the rows stay pending: the relay sends them after the hold
                log.exception("could not take WeChat replies for the passive answer")
                return None
        if not taken:
            return None
        return compose(*split(taken, current))

    async def _inbound(self, delivery: Delivery) -> InboundMessage:
        kind, media = delivery.kind, None
        if delivery.media_id and not await self._outbox.seen(delivery.message_id):
            media = await self._download(delivery.media_id)
            kind = kind if media is not None else MessageKind.UNSUPPORTED
        return InboundMessage(
            channel=Channel.WECHAT, user_id=delivery.openid, message_id=delivery.message_id,
            text=delivery.text, received_at=self._clock(), kind=kind, media=media,
            event=delivery.event)

    async def _download(self, media_id: str) -> MediaRef | None:
        """Evidence photos are fetched at once: WeChat keeps uploads for 3 days."""
        try:
            data = await self._api.media(media_id)
            return await asyncio.to_thread(store_image, self._media_dir, "wechat", data)
        except (WechatApiError, MediaRejected) as exc:
            log.warning("WeChat image %s not stored: %s", media_id, exc)
            return None
        except WechatTransportError as exc:  # try again when WeChat retries the delivery
            raise TemporarilyUnavailable(str(exc)) from exc

    def _finish_late(self, turn: asyncio.Future[TurnOutcome], message: InboundMessage) -> None:
        async def finish() -> None:
            try:
                outcome = await turn
                if outcome.outbox_ids:  # answered "success": send through the API now
                    await self._outbox.release(outcome.outbox_ids)
            except TemporarilyUnavailable as exc:  # kept: the replay runs it again
                log.warning("a late WeChat turn could not run (kept for later): %s", exc)
                return
            except Exception:
                log.exception("a late WeChat turn failed (kept for later)")
                return
            finally:
                self._late_ids.discard(message.message_id)
            await self._journal.done(message)

        task = asyncio.create_task(finish())
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def replay(self) -> int:
        """Run the kept messages whose late turn never committed here (the process died,
        or the database was away); their replies go out through the API. How many ran."""
        ran = 0
        for message in await self._journal.pending():
            if message.message_id in self._late_ids:
                continue
            try:
                outcome = await self._dispatch(message)
                if outcome.duplicate:  # committed before: rows may still wait on a hold
                    await self._outbox.release(outcome.outbox_ids)
            except TemporarilyUnavailable as exc:
                log.warning("kept WeChat messages wait for the database: %s", exc)
                break
            await self._journal.done(message)
            ran += 1
        if ran:
            log.info("ran %d kept WeChat message(s) answered late before", ran)
        return ran

    async def replay_forever(self, every_seconds: float = REPLAY_SECONDS) -> None:
        while True:
            try:
                await self.replay()
            except Exception:  # never let the loop die; the next round tries again
                log.exception("replaying kept WeChat messages failed")
            await asyncio.sleep(every_seconds)


async def _body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Refused(413, "body larger than 1 MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refused(413, "body larger than 1 MiB")
        chunks.append(chunk)
    return b"".join(chunks)
