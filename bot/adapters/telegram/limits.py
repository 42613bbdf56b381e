"""Telegram's sending budgets, kept inside the process (DESIGN §4).

About 1 message/s per chat, 20/min per group, 30/s per bot; a 429's ``retry_after``
holds for the whole bot token. Each budget is a sliding window (at most N grants in any
window of W seconds). A send first waits for its chat's budget under that chat's lock
(other chats go on meanwhile), then for the bot's budget under the bot lock (which every
send must wait for anyway), and is granted at the clock's current time.

The clock and sleep are injectable so tests drive the limiter by a fake clock and assert
on the granted timestamps instead of on wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.core.locks import KeyedLock

EPSILON = 1e-6
"""Float slack: a window that ends within a microsecond counts as ended (no busy loop)."""
PRUNE_AT = 4096


@dataclass(frozen=True)
class Budget:
    count: int
    seconds: float


@dataclass(frozen=True)
class Budgets:
    chat: Budget = Budget(1, 1.0)
    group: Budget = Budget(20, 60.0)
    bot: Budget = Budget(30, 1.0)


class _Window:
    """The last ``count`` grant times; the next grant is due when the oldest leaves."""

    def __init__(self, budget: Budget) -> None:
        self._budget = budget
        self._times: deque[float] = deque(maxlen=budget.count)

    def due(self) -> float:
        if len(self._times) < self._budget.count:
            return float("-inf")
        return self._times[0] + self._budget.seconds

    def grant(self, now: float) -> None:
        self._times.append(now)

    def idle(self, now: float) -> bool:
        return not self._times or self._times[-1] + self._budget.seconds <= now


class RateLimiter:
    def __init__(self, budgets: Budgets | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._budgets = budgets or Budgets()
        self._clock = clock
        self._sleep = sleep
        self._chat_locks = KeyedLock()
        self._chats: dict[str, _Window] = {}
        self._busy: dict[str, int] = {}
        self._groups: dict[str, _Window] = {}
        self._bot = _Window(self._budgets.bot)
        self._bot_lock = asyncio.Lock()
        self._paused_until = float("-inf")
        self._in_flight = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    def set_clock(self, clock: Callable[[], float],
                  sleep: Callable[[float], Awaitable[None]]) -> None:
        """Drive the limiter by another clock (tests, simulations); before any send."""
        self._clock = clock
        self._sleep = sleep

    def pause(self, seconds: float) -> None:
        """A 429: nothing is sent with this token for ``seconds`` (all chats)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def delay(self, chat_id: str, group: bool) -> float:
        """Seconds until this chat could be granted (pause, chat and group budgets)."""
        dues = [self._paused_until]
        if chat_id in self._chats:
            dues.append(self._chats[chat_id].due())
        if group and chat_id in self._groups:
            dues.append(self._groups[chat_id].due())
        return max(0.0, max(dues) - self._clock())

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def wait_quiet(self) -> None:
        """Until every granted request has finished (a fake clock advances only then)."""
        await self._quiet.wait()

    @asynccontextmanager
    async def slot(self, chat_id: str, group: bool) -> AsyncIterator[None]:
        """Wait for the budgets, then hold a grant while the request is made."""
        self._busy[chat_id] = self._busy.get(chat_id, 0) + 1
        try:
            async with self._chat_locks.hold(chat_id):
                await self._grant(chat_id, group)
        finally:
            if self._busy[chat_id] <= 1:
                del self._busy[chat_id]
            else:
                self._busy[chat_id] -= 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._quiet.set()
            self._prune()

    async def _grant(self, chat_id: str, group: bool) -> None:
        windows = [self._chats.setdefault(chat_id, _Window(self._budgets.chat))]
        if group:
            windows.append(self._groups.setdefault(chat_id, _Window(self._budgets.group)))
        await self._wait_for(windows)
        async with self._bot_lock:
            await self._wait_for([self._bot])
            now = self._clock()
            for window in (*windows, self._bot):
                window.grant(now)
            self._in_flight += 1
            self._quiet.clear()

    async def _wait_for(self, windows: list[_Window]) -> None:
        while True:
            due = max(self._paused_until, *(w.due() for w in windows))
            wait = due - self._clock()
            if wait <= EPSILON:
                return
            await self._sleep(wait)

    def _prune(self) -> None:
        """Forget chats whose windows are over, so memory follows the active chats."""
        if len(self._chats) + len(self._groups) < PRUNE_AT:
            return
        now = self._clock()
        for table in (self._chats, self._groups):
            for chat_id in [k for k, w in table.items()
                            if w.idle(now) and k not in self._busy]:
                del table[chat_id]
