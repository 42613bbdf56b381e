"""Value types returned by the NLP package (codes from shared/TAXONOMY.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Entities:
    """Fields stated in a complaint; a field the text does not state is None."""

    merchant: str | None = None
    amount: float | None = None
    purchase_date: date | None = None
    phone: str | None = None
    order_no: str | None = None
    product: str | None = None


@dataclass(frozen=True)
class Classification:
    """Labels of one complaint text, each with a confidence in 0..1."""

    category: str
    category_confidence: float
    kind: str
    nature: str
    nature_confidence: float
    demands: tuple[str, ...]
    channel: str
    channel_confidence: float
    prepaid: bool


class Intent(StrEnum):
    """What a chat message asks the bot to do."""

    COMPLAIN = "complain"
    STATUS = "status"
    CANCEL = "cancel"
    HELP = "help"
    GREETING = "greeting"
    STAFF = "staff"
    OTHER = "other"


@dataclass(frozen=True)
class EnterpriseRecord:
    """An enrolled ODR enterprise as the matcher sees it."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    district: str = ""
    address: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    """Best enterprise for a name, or None when the matcher is not confident."""

    enterprise_id: str | None
    score: float
    candidates: tuple[tuple[str, float], ...]
