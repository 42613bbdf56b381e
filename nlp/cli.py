"""JSONL contracts of `odrbot classify` and `odrbot match` (DESIGN §5).

One JSON object per input line; a bad line yields {"id": ..., "error": "..."} and the
run continues. Both functions return the number of error lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TextIO

from nlp.classify import classify
from nlp.extract import extract
from nlp.match import EnterpriseIndex


def _parse(line: str) -> dict[str, Any]:
    """The JSON object of one input line; raises ValueError with a readable reason."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    return obj


def _check_text(obj: dict[str, Any]) -> None:
    if not isinstance(obj.get("text"), str):
        raise ValueError('"text" must be a string')


def _message_date(obj: dict[str, Any]) -> date | None:
    value = obj.get("message_date")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('"message_date" must be an ISO date string')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid message_date: {value!r}") from None


def classify_record(obj: dict[str, Any]) -> dict[str, Any]:
    """The output object of `odrbot classify` for one request."""
    text: str = obj["text"]
    labels = classify(text)
    entities = extract(text, _message_date(obj))
    return {
        "id": obj.get("id"),
        "category": labels.category,
        "kind": labels.kind,
        "nature": labels.nature,
        "demands": list(labels.demands),
        "channel": labels.channel,
        "prepaid": labels.prepaid,
        "entities": {
            "merchant": entities.merchant,
            "amount": entities.amount,
            "purchase_date": entities.purchase_date.isoformat() if entities.purchase_date else None,
            "phone": entities.phone,
            "order_no": entities.order_no,
            "product": entities.product,
        },
    }


def _run(lines: Iterable[str], out: TextIO, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    errors = 0
    for line in lines:
        if not line.strip():
            continue
        rid: Any = None
        try:
            obj = _parse(line)
            rid = obj.get("id")
            _check_text(obj)
            result = handle(obj)
        except ValueError as exc:
            errors += 1
            result = {"id": rid, "error": str(exc)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return errors


def run_classify(lines: Iterable[str], out: TextIO) -> int:
    """`odrbot classify`: {"id","text","message_date"?} per line -> labels and entities."""
    return _run(lines, out, classify_record)


def run_match(lines: Iterable[str], out: TextIO, index: EnterpriseIndex) -> int:
    """`odrbot match`: {"id","text","city_hint"?} per line -> {"id","enterprise_id","score"}."""

    def handle(obj: dict[str, Any]) -> dict[str, Any]:
        hint = obj.get("city_hint")
        if hint is not None and not isinstance(hint, str):
            raise ValueError('"city_hint" must be a string')
        result = index.match(obj["text"], hint)
        return {"id": obj.get("id"), "enterprise_id": result.enterprise_id, "score": result.score}

    return _run(lines, out, handle)
