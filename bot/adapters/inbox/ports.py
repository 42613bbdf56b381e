"""What the web inbox needs from the rest of the bot, and the views it shows.

Implemented with storage and the CaseService in ``bot/channels/inbox.py``; the adapter
itself imports only ``bot.core`` (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

STAFF_ACTIONS = ("accept", "reply", "propose", "refuse", "settle")


@dataclass(frozen=True)
class Staff:
    id: int
    enterprise_id: str
    enterprise_name: str
    name: str
    role: str


@dataclass(frozen=True)
class Session:
    staff: Staff
    csrf: str


@dataclass(frozen=True)
class CaseQuery:
    state: str = "open"
    """``open``, ``all`` or one status code."""
    due: str = ""
    """``""``, ``soon`` (deadline within a few days) or ``overdue`` (deadline passed)."""
    category: str = ""
    search: str = ""
    """A reference number or (part of) the consumer's phone."""
    page: int = 1


@dataclass(frozen=True)
class CaseView:
    reference: str
    status: str
    category: str
    nature: str
    merchant: str
    merchant_address: str
    product: str
    purchase_date: date | None
    amount: float | None
    channel: str
    facts: str
    demands: tuple[str, ...]
    order_no: str | None
    submitted_at: datetime
    deadline: date
    due: str
    """``overdue``, ``soon`` or ``""`` for open cases; ``""`` once the case has ended."""
    consumer_name: str | None
    """None until the case is accepted (受理): the consumer's contact is shown only then."""
    consumer_phone: str | None
    consumer_address: str | None
    proposal: str | None
    outcome: str | None
    rating: int | None
    evidence_count: int
    actions: tuple[str, ...]
    """What staff may do now, a subset of :data:`STAFF_ACTIONS`."""


@dataclass(frozen=True)
class ThreadEntry:
    sender: str
    """consumer | enterprise | system"""
    channel: str
    kind: str
    text: str
    at: datetime
    photo: bool


@dataclass(frozen=True)
class CaseDetail:
    case: CaseView
    thread: tuple[ThreadEntry, ...]


@dataclass(frozen=True)
class MediaFile:
    path: str
    content_type: str


@dataclass(frozen=True)
class LiveEvent:
    id: int
    event: str
    reference: str
    status: str


@dataclass(frozen=True)
class StatsView:
    first: date
    last: date
    total: int
    by_category: tuple[tuple[str, int], ...]
    by_nature: tuple[tuple[str, int], ...]
    outcomes: tuple[tuple[str, int], ...]
    settlement_rate: float | None
    on_time: int
    late: int
    pending: int
    median_first_response_hours: float | None
    weekly: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class Labels:
    """Names of codes in Chinese and English (the catalogue lives with the handlers)."""

    categories: Mapping[str, tuple[str, str]]
    natures: Mapping[str, tuple[str, str]]
    demands: Mapping[str, tuple[str, str]]
    channels: Mapping[str, tuple[str, str]]


class Refused(Exception):
    """A staff action the CaseService refused; ``reason`` picks the polite words.

    not_found (unknown OR another enterprise's case: the same answer), illegal (the state
    does not allow it), empty, too_long, unavailable (database down: try again);
    bad_photo (not a JPEG, PNG, GIF or WebP image), photo_too_large."""

    def __init__(self, reason: str, status: str = "", limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.limit = limit


class InboxBackend(Protocol):
    async def login_with_token(self, token: str) -> str | None:
        """Spend a one-time login token; the new session's cookie value, or None."""

    async def login_with_password(self, staff_id: int, password: str) -> str | None: ...

    async def session(self, token: str) -> Session | None: ...

    async def sign_in_failures(self, client: str, window: timedelta) -> int:
        """Failed sign-ins of ``client`` within ``window``, counted by every worker."""
        ...

    async def sign_in_failed(self, client: str, window: timedelta) -> None:
        """Record a failed sign-in (and forget those older than ``window``)."""
        ...

    async def logout(self, token: str) -> None: ...

    async def cases(self, staff: Staff, query: CaseQuery, offset: int, limit: int
                    ) -> list[CaseView]: ...

    async def case(self, staff: Staff, reference: str) -> CaseDetail:
        """Raises :class:`Refused` ("not_found") for unknown or foreign cases."""

    async def act(self, staff: Staff, action: str, reference: str, text: str,
                  media_path: str | None = None) -> None:
        """One of :data:`STAFF_ACTIONS`; raises :class:`Refused`. ``media_path``: a photo
        already stored under the media directory, sent with a reply."""

    async def evidence(self, staff: Staff, reference: str, index: int) -> MediaFile | None: ...

    async def thread_photo(self, staff: Staff, reference: str, index: int
                           ) -> MediaFile | None: ...

    async def latest_event_id(self, enterprise_id: str) -> int: ...

    async def events(self, enterprise_id: str, after: int) -> list[LiveEvent]: ...

    async def statistics(self, staff: Staff, first: date, last: date) -> StatsView: ...

    async def export(self, staff: Staff, first: date, last: date) -> list[list[str]]:
        """The cases of the period as CSV rows (a header row first)."""

    def today(self) -> date: ...
