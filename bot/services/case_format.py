"""Cases rendered for people (notices) and for machines (inbox events, webhooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.complaint import Case
from handlers.labels import CATEGORY_LABELS, DEMAND_LABELS, NATURE_LABELS, label


def consumer_lang(language: str | None) -> str:
    return "en" if (language or "").lower().startswith("en") else "zh"


def case_summary(case: Case, lang: str = "zh") -> dict[str, Any]:
    """The fields staff see in a new-case notice (no phone before 受理)."""
    sep = "、" if lang == "zh" else ", "
    return {
        "category": label(CATEGORY_LABELS, case.category, lang),
        "nature": label(NATURE_LABELS, case.nature, lang),
        "product": case.product,
        "amount": _amount(case.amount, lang),
        "date": case.purchase_date.isoformat() if case.purchase_date else "—",
        "demands": sep.join(label(DEMAND_LABELS, d, lang) for d in case.demands) or "—",
        "facts": case.facts if len(case.facts) <= 300 else case.facts[:300] + "…",
        "evidence": case.evidence_count,
        "deadline": case.deadline.isoformat(),
    }


def _amount(amount: float | None, lang: str) -> str:
    if amount is None:
        return "—"
    return f"{amount:g}元" if lang == "zh" else f"CNY {amount:g}"


def case_event(case: Case, event: str, at: datetime, **fields: object) -> dict[str, Any]:
    """The JSON an enterprise's inbox and webhook receive for one event on a case."""
    contact_visible = case.accepted_at is not None
    return {
        "event": event,
        "at": at.isoformat(),
        "complaint": {
            "reference": case.reference,
            "status": case.status.value,
            "category": case.category,
            "nature": case.nature,
            "product": case.product,
            "amount": case.amount,
            "purchase_date": case.purchase_date.isoformat() if case.purchase_date else None,
            "demands": list(case.demands),
            "deadline": case.deadline.isoformat(),
            "consumer_name": case.consumer_name if contact_visible else None,
            "consumer_phone": case.consumer_phone if contact_visible else None,
        },
        **fields,
    }
