"""Ports: what the core needs from the outside, as protocols (implemented elsewhere)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.core.messages import InboundMessage, MediaRef, OutboundMessage
from bot.domain.complaint import (
    Case,
    ComplaintView,
    EnterpriseView,
    Filing,
    Submitted,
    ThreadMessage,
)


@dataclass(frozen=True)
class SendResult:
    """What a platform said to one outbound message."""

    ok: bool
    error: str = ""
    retry_after: float | None = None
    """Seconds the platform asked us to wait (Telegram 429); None → our own backoff."""
    permanent: bool = False
    """Retrying cannot help (user blocked the bot, message rejected): dead-letter it."""
    hold: bool = False
    """Not deliverable now but keep it (WeChat 48-hour window closed): wait for the user."""


class Sender(Protocol):
    async def send(self, message: OutboundMessage) -> SendResult: ...


@dataclass(frozen=True)
class TurnOutcome:
    replies: tuple[OutboundMessage, ...]
    outbox_ids: tuple[int, ...]
    duplicate: bool = False
    carried: tuple[OutboxItem, ...] | None = None
    """With a :class:`PassiveAnswer`: the rows the turn took for the HTTP answer (marked
    sent in its own commit), oldest first; None when it took nothing (a duplicate, or the
    answer's deadline had passed)."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message: OutboundMessage


PassiveFit = Callable[[Sequence[OutboxItem], Collection[int]], int]
"""Given the candidate rows (oldest first) and the ids of this turn's own replies, how many
of them (a prefix) one passive answer carries."""


@dataclass(frozen=True)
class PassiveAnswer:
    """The adapter answers the platform's HTTP request with the replies (WeChat's passive
    reply). The turn then takes them in its own transaction, together with older rows
    still waiting for the user, so they are marked sent in the same commit that creates
    them: no second transaction, and the relay never sees them."""

    fit: PassiveFit
    deadline: float
    """Event-loop time after which the answer is no longer awaited: take nothing then."""


class InboundJournal(Protocol):
    """Keeps a message the platform was told had arrived until its turn has committed."""

    async def keep(self, message: InboundMessage) -> bool:
        """Durably keep it; False when that failed (then the platform must retry)."""

    async def done(self, message: InboundMessage) -> None: ...

    async def pending(self) -> list[InboundMessage]:
        """What is kept, oldest first."""


class Dispatch(Protocol):
    """What adapters call for every inbound message."""

    async def __call__(
        self, message: InboundMessage, *, hold_replies_seconds: float = 0.0,
        passive: PassiveAnswer | None = None,
    ) -> TurnOutcome: ...


@dataclass(frozen=True)
class FeedItem:
    id: int
    message: OutboundMessage


class MessageFeed(Protocol):
    """Pull access to a recipient's messages (the web chat streams from it)."""

    async def after(self, recipient: str, after_id: int) -> list[FeedItem]: ...

    async def photo(self, recipient: str, item_id: int) -> MediaRef | None:
        """The photo of one of the recipient's messages (None: not theirs, or no photo)."""
        ...


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class StaffView:
    id: int
    enterprise_id: str
    enterprise_name: str
    name: str
    role: str


@dataclass(frozen=True)
class EnterpriseMatch:
    enterprise: EnterpriseView | None
    score: float
    candidates: tuple[EnterpriseView, ...]


class TurnServices(Protocol):
    """What handlers may ask of the world during one turn (bound to its transaction)."""

    @property
    def now(self) -> datetime: ...

    @property
    def today(self) -> date: ...

    async def my_complaints(self) -> list[ComplaintView]: ...

    async def my_complaint(self, reference: str) -> ComplaintView | None: ...

    async def contact(self) -> Contact: ...

    async def match_enterprise(self, text: str, city_hint: str | None) -> EnterpriseMatch: ...

    async def enterprise(self, enterprise_id: str) -> EnterpriseView | None: ...

    async def submit(self, filing: Filing) -> Submitted: ...

    # --- the negotiation (raise bot.domain.errors / IllegalTransition on refusal) ---------

    async def staff_member(self) -> StaffView | None: ...

    async def bind_staff(self, code: str) -> StaffView | None: ...

    async def unbind_staff(self) -> bool: ...

    async def enterprise_cases(self) -> list[Case]: ...

    async def staff_act(self, action: str, reference: str, text: str = "",
                        media_path: str | None = None) -> Case: ...

    async def my_open_cases(self) -> list[Case]: ...

    async def my_rateable_cases(self) -> list[Case]: ...

    async def consumer_act(self, action: str, reference: str, text: str = "",
                           number: int = 0, media_path: str | None = None) -> Case:
        """message | accept_proposal | reject_proposal | rate (number = stars) | withdraw |
        escalate | extend (number = working days) | close | view."""
        ...

    async def case_thread(self, reference: str) -> list[ThreadMessage]: ...

    def escalation_link(self, reference: str) -> str: ...
