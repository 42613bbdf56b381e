"""The outbox relay: delivers committed outbox rows through the channel senders.

- wakes at once when a turn commits (no polling delay on the happy path);
- keeps each recipient's messages in order (a failed head blocks that recipient only);
- retries with exponential backoff and full jitter, honours a platform's retry_after;
- dead-letters a row after ``max_attempts`` (visible in the table and in the log);
- marks a row sent right after the platform confirmed it, so it is never sent twice;
- leases rows while sending, so several workers never send the same row concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from bot.config import RelayConfig
from bot.core.messages import Channel
from bot.core.outbound import message_of
from bot.core.ports import Sender, SendResult
from storage.messaging import OutboxRow
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)
Fallback = Callable[[UnitOfWork, OutboxRow, SendResult, datetime], Awaitable[bool]]
LEASE = timedelta(seconds=60)
IDLE_SECONDS = 30.0
CONCURRENT_SENDS = 32


class OutboxRelay:
    def __init__(
        self, db: Database, senders: Mapping[Channel, Sender], clock: Callable[[], datetime],
        config: RelayConfig, rng: random.Random | None = None,
        on_result: Callable[[str, bool, str, str], None] | None = None,
        fallback: Fallback | None = None,
    ) -> None:
        self._db = db
        self._senders = senders
        self._clock = clock
        self._config = config
        self._rng = rng or random.Random()
        self._on_result = on_result or (lambda channel, ok, outcome, error: None)
        self._fallback = fallback
        self._wake = asyncio.Event()
        self._stopping = False
        self._sleep_until: datetime | None = None

    def wake(self) -> None:
        self._wake.set()

    def due_later(self, when: datetime) -> None:
        """A row was committed that falls due at ``when`` (held for a passive reply): wake
        only if the relay would otherwise sleep past it."""
        if self._sleep_until is None or when < self._sleep_until:
            self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                delay = await self.sweep()
            except Exception:
                log.exception("outbox sweep failed; retrying shortly")
                delay = 1.0
            if self._stopping:
                break
            self._sleep_until = self._clock() + timedelta(seconds=delay)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass
            self._sleep_until = None

    async def sweep(self) -> float:
        """Send everything due now; return seconds until the next row falls due.

        Each round sends the head (oldest pending row) of every due recipient at once, so
        one recipient's messages go out in order while different recipients go in parallel.
        """
        while not self._stopping:
            now = self._clock()
            async with self._db.unit_of_work() as uow:
                heads = await uow.outbox.due_heads(now, self._config.batch_size)
                claimed = [row for row in heads
                           if await uow.outbox.claim(row.id, now, now + LEASE)]
                await uow.commit()
            if not claimed:
                break
            gate = asyncio.Semaphore(CONCURRENT_SENDS)
            results = await asyncio.gather(*(self._deliver(row, gate) for row in claimed))
            await self._record_all(list(zip(claimed, results, strict=True)))
        async with self._db.unit_of_work() as uow:
            next_due = await uow.outbox.next_head_due_at()
        if next_due is None:
            return IDLE_SECONDS
        return max(0.0, min(IDLE_SECONDS, (next_due - self._clock()).total_seconds()))

    async def _deliver(self, row: OutboxRow, gate: asyncio.Semaphore) -> SendResult:
        async with gate:
            return await self._send(row)

    async def _send(self, row: OutboxRow) -> SendResult:
        sender = self._senders.get(Channel(row.channel))
        if sender is None:
            result = SendResult(ok=False, error=f"channel {row.channel} is not configured",
                                hold=True)
        else:
            try:
                result = await sender.send(message_of(row.channel, row.recipient, row.payload))
            except Exception as exc:  # a sender bug must not stop the relay
                log.exception("sender for %s raised", row.channel)
                result = SendResult(ok=False, error=f"{type(exc).__name__}: {exc}")
        return result

    async def _record_all(self, outcomes: list[tuple[OutboxRow, SendResult]]) -> None:
        """One transaction for a whole round: confirmed sends are marked at once (a crash
        between a send and this commit can only repeat that round, never lose it)."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            for row, result in outcomes:
                await self._record(uow, row, result, now)
            await uow.commit()

    async def _record(self, uow: UnitOfWork, row: OutboxRow, result: SendResult,
                      now: datetime) -> None:
        if result.ok:
            self._on_result(row.channel, True, "ok", "")
            await uow.outbox.mark_sent(row.id, now)
            return
        if result.permanent or result.hold:
            # Unreachable on this chat (blocked, window closed): the person's other chats.
            if self._fallback is not None and await self._fallback(uow, row, result, now):
                self._on_result(row.channel, False, "rerouted", result.error)
                await uow.outbox.mark_dead(row.id, f"{result.error}; sent to other chats")
                return
        if result.permanent or (not result.hold and
                                row.attempts + 1 >= self._config.max_attempts):
            log.error("outbox row %s dead after %s attempts: %s", row.id, row.attempts + 1,
                      result.error)
            self._on_result(row.channel, False, "dead", result.error)
            await uow.outbox.mark_dead(row.id, result.error)
            return
        self._on_result(row.channel, False, "hold" if result.hold else "retry", result.error)
        delay = self._delay(row.attempts, result)
        log.warning("outbox row %s not sent (%s); retry in %.1fs", row.id, result.error, delay)
        await uow.outbox.mark_retry(row.id, now + timedelta(seconds=delay), result.error,
                                    count=not result.hold)

    def _delay(self, attempts: int, result: SendResult) -> float:
        if result.retry_after is not None:
            return result.retry_after
        if result.hold:
            return self._config.max_delay_seconds
        ceiling = min(self._config.max_delay_seconds,
                      self._config.base_delay_seconds * (2 ** attempts))
        return self._rng.uniform(ceiling / 2, ceiling)
