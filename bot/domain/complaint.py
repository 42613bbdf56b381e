"""The complaint as the domain sees it: the filing fields, the reference number, views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.states import Status


def format_reference(day: date, sequence: int) -> str:
    """``TS`` + date + six-digit daily sequence, e.g. ``TS20261122000123`` (DESIGN §5)."""
    return f"TS{day:%Y%m%d}{sequence:06d}"


@dataclass(frozen=True)
class Evidence:
    path: str
    sha256: str
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class Filing:
    """A complete complaint as submitted by the consumer."""

    enterprise_id: str
    merchant: str
    merchant_address: str
    product: str
    purchase_date: date | None
    amount: float | None
    channel: str
    facts: str
    demands: tuple[str, ...]
    consumer_name: str
    consumer_phone: str
    consumer_address: str
    category: str
    nature: str
    order_no: str | None = None
    prepaid: bool = False
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class MessageView:
    sender: str
    text: str
    at: datetime


@dataclass(frozen=True)
class ComplaintView:
    """What status answers show: never more than the asking consumer may see."""

    reference: str
    status: Status
    merchant: str
    product: str
    submitted_at: datetime
    deadline: date | None
    last_message: MessageView | None = None
    messages: tuple[MessageView, ...] = field(default=())
    demands: tuple[str, ...] = ()
    amount: float | None = None


@dataclass(frozen=True)
class Submitted:
    reference: str
    deadline: date
    enterprise_name: str


@dataclass(frozen=True)
class EnterpriseView:
    id: str
    name: str
    district: str
    address: str


@dataclass(frozen=True)
class Case:
    """A submitted complaint as the negotiation sees it (both sides' actions load this)."""

    id: int
    reference: str
    status: Status
    consumer_id: int
    enterprise_id: str
    enterprise_name: str
    merchant: str
    product: str
    purchase_date: date | None
    amount: float | None
    channel: str
    facts: str
    demands: tuple[str, ...]
    consumer_name: str
    consumer_phone: str
    consumer_address: str
    category: str
    nature: str
    order_no: str | None
    submitted_at: datetime
    deadline: date
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    proposal: str | None
    outcome: str | None
    rating: int | None
    evidence_count: int = 0
    merchant_address: str = ""
    source_channel: str = "web"
    enterprise_district: str = ""
    accept_deadline: date | None = None
    proposed_at: datetime | None = None
    extended_days: int = 0


@dataclass(frozen=True)
class ThreadMessage:
    sender: str
    channel: str
    kind: str
    text: str
    at: datetime
    media_path: str | None = None


def regulator_of(district: str) -> str:
    """The market regulator of the respondent's district (属地管辖): the lowest level named.

    "辽宁省鞍山市铁东区" → "鞍山市铁东区市场监督管理局"."""
    name = district.strip()
    for marker in ("省", "自治区"):
        if marker in name and not name.endswith(marker):
            name = name.split(marker, 1)[1]
    return f"{name}市场监督管理局" if name else "当地市场监督管理局"
