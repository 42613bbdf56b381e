"""A turn: dedupe → per-conversation lock → one transaction → commit → wake the relay.

DESIGN §3: record the platform's message id, load the state, run the handler, save the
state and the outgoing messages (the outbox), commit. A crash before the commit loses
nothing (the platform retries); after it, the outbox delivers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core.errors import TemporarilyUnavailable
from bot.core.locks import KeyedLock
from bot.core.messages import InboundMessage, OutboundMessage
from bot.core.outbound import message_of, payload_of
from bot.core.ports import OutboxItem, PassiveAnswer, TurnOutcome
from bot.services.passive import carry
from bot.services.turn_services import ServiceSettings, SqlTurnServices
from handlers import router
from handlers.state import Reply, State
from handlers.texts import text
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)


def conversation_key(message: InboundMessage) -> str:
    return f"{message.channel.value}:{message.user_id}"


class Dispatcher:
    def __init__(
        self, db: Database, settings: ServiceSettings, clock: Callable[[], datetime],
        on_commit: Callable[[], None] = lambda: None,
        on_held: Callable[[datetime], None] = lambda when: None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._on_commit = on_commit
        self._on_held = on_held
        self._locks = KeyedLock()

    async def __call__(
        self, message: InboundMessage, *, hold_replies_seconds: float = 0.0,
        passive: PassiveAnswer | None = None,
    ) -> TurnOutcome:
        async with self._locks.hold(conversation_key(message)):
            wake: bool | datetime = False
            try:
                outcome, wake = await self._turn(message, hold_replies_seconds, passive)
            except IntegrityError:
                # Another worker committed the same delivery first: answer as it did.
                outcome = await self._stored_or_unavailable(message)
            except (DBAPIError, OSError) as exc:
                # OSError: asyncpg's connect to an unreachable server is not wrapped.
                log.warning("database unavailable for a turn: %s", type(exc).__name__)
                raise TemporarilyUnavailable(str(exc)) from exc
            except Exception:
                log.exception("turn failed for %s message %s", message.channel, message.message_id)
                outcome = await self._record_failure(message, hold_replies_seconds)
                wake = True
        if wake is True:
            self._on_commit()
        elif isinstance(wake, datetime):
            self._on_held(wake)
        return outcome

    async def _turn(self, message: InboundMessage, hold: float, passive: PassiveAnswer | None
                    ) -> tuple[TurnOutcome, bool | datetime]:
        """The turn's outcome, and whether the relay has something to send right away
        (True), only later (when replies wait for a passive HTTP reply), or nothing (False:
        pull channels read their rows themselves)."""
        async with self._db.unit_of_work() as uow:
            key = conversation_key(message)
            await uow.conversations.lock(key)  # other workers (the keyed lock is ours only)
            start = await uow.conversations.start_turn(  # receipt, state, identity: one read
                message.channel.value, message.message_id, message.user_id, key)
            if start.replies is not None:
                return _outcome(message, start.replies, duplicate=True), False
            now = self._clock()
            identity = start.identity or await uow.identities.create(
                message.channel.value, message.user_id, now, None)
            await uow.identities.seen(identity, now)
            raw = start.state
            state = State.from_json(raw)
            services = SqlTurnServices(uow, identity, now, message.channel, self._settings)
            result = await router.handle(message, state, services)
            new_state = result.state.to_json()
            if new_state != raw:  # an unchanged state is not written again
                await uow.conversations.save(key, new_state, now, existed=raw is not None)
            if result.state.lang != identity.language:
                # Notices pushed later follow the language the person chats in (a browser's
                # Accept-Language or a platform setting is only the first guess).
                await uow.identities.set_language(identity.id, result.state.lang)
            stored, carried = await self._deliver(uow, message, result.replies, now, hold,
                                                  passive)
            await uow.receipts.add(message.channel.value, message.message_id, stored, now)
            await uow.commit()
            wake: bool | datetime = uow.outbox.due_now > 0 or (uow.outbox.due_later or False)
        return _outcome(message, stored, duplicate=False, carried=carried), wake

    async def _deliver(
        self, uow: UnitOfWork, message: InboundMessage, replies: list[Reply], now: datetime,
        hold: float, passive: PassiveAnswer | None,
    ) -> tuple[list[dict[str, Any]], tuple[OutboxItem, ...] | None]:
        """Store the replies, and take what a passive answer still awaited will carry."""
        if (passive is not None and asyncio.get_running_loop().time() < passive.deadline
                and not await uow.outbox.any_pending(message.channel.value, message.user_id)):
            return await self._answer_directly(uow, message, replies, now, passive)
        stored = await self._enqueue(uow, message, replies, now, hold)
        return stored, await self._carry(uow, message, stored, now, passive)

    @staticmethod
    async def _answer_directly(
        uow: UnitOfWork, message: InboundMessage, replies: list[Reply], now: datetime,
        passive: PassiveAnswer,
    ) -> tuple[list[dict[str, Any]], tuple[OutboxItem, ...]]:
        """Nothing older waits for the user: the answer carries this turn's replies (as
        many as fit), recorded as sent when they are written, instead of written as held
        and taken back out by a second statement; the rest are due at once for the relay."""
        channel, user = message.channel.value, message.user_id
        payloads = _payloads(message, replies)
        draft = [OutboxItem(-1 - n, message_of(channel, user, payload))
                 for n, payload in enumerate(payloads)]
        keep = passive.fit(draft, {item.id for item in draft})
        stored: list[dict[str, Any]] = []
        carried: list[OutboxItem] = []
        for n, payload in enumerate(payloads):
            row_id = await uow.outbox.add(channel, user, payload, now, taken=n < keep)
            stored.append({"id": row_id, **payload})
            if n < keep:
                carried.append(OutboxItem(row_id, draft[n].message))
        return stored, tuple(carried)

    @staticmethod
    async def _carry(uow: UnitOfWork, message: InboundMessage, stored: list[dict[str, Any]],
                     now: datetime, passive: PassiveAnswer | None
                     ) -> tuple[OutboxItem, ...] | None:
        """The replies (and older rows held for the user) the adapter's HTTP answer will
        carry, marked sent in this very transaction; nothing once its deadline is past."""
        if passive is None or asyncio.get_running_loop().time() >= passive.deadline:
            return None
        ids = [int(item["id"]) for item in stored]
        return tuple(await carry(uow.outbox, message.channel.value, message.user_id, now,
                                 passive.fit, ids, upto=max(ids, default=None)))

    async def _enqueue(
        self, uow: UnitOfWork, message: InboundMessage, replies: list[Reply], now: datetime,
        hold: float,
    ) -> list[dict[str, Any]]:
        not_before = now + timedelta(seconds=hold) if hold > 0 else None
        stored = []
        for payload in _payloads(message, replies):
            row_id = await uow.outbox.add(message.channel.value, message.user_id, payload, now,
                                          not_before)
            stored.append({"id": row_id, **payload})
        return stored

    async def _stored_or_unavailable(self, message: InboundMessage) -> TurnOutcome:
        async with self._db.unit_of_work() as uow:
            stored = await uow.receipts.replies_of(message.channel.value, message.message_id)
        if stored is None:
            raise TemporarilyUnavailable("conflicting concurrent turn")
        return _outcome(message, stored, duplicate=True)

    async def _record_failure(self, message: InboundMessage, hold: float) -> TurnOutcome:
        """A bug in a handler: answer politely and record the delivery, so the platform's
        retries do not replay the same failure; the conversation state is unchanged."""
        try:
            async with self._db.unit_of_work() as uow:
                now = self._clock()
                raw = await uow.conversations.load(conversation_key(message))
                lang = State.from_json(raw).lang
                reply = Reply(text(lang, "internal_error"))
                stored = await self._enqueue(uow, message, [reply], now, hold)
                await uow.receipts.add(message.channel.value, message.message_id, stored, now)
                await uow.commit()
        except (DBAPIError, OSError) as exc:
            raise TemporarilyUnavailable(str(exc)) from exc
        return _outcome(message, stored, duplicate=False)


def _payloads(message: InboundMessage, replies: list[Reply]) -> list[dict[str, Any]]:
    """The outbox payloads of a turn's replies to ``message``."""
    return [payload_of(OutboundMessage(message.channel, message.user_id, reply.text,
                                       reply.choices, reply_to_message=message.message_id))
            for reply in replies]


def _outcome(message: InboundMessage, stored: list[dict[str, Any]], duplicate: bool,
             carried: tuple[OutboxItem, ...] | None = None) -> TurnOutcome:
    replies = tuple(message_of(message.channel.value, message.user_id, item) for item in stored)
    return TurnOutcome(replies, tuple(int(item["id"]) for item in stored), duplicate, carried)
