"""Pre-filling the draft from the consumer's first message (asks only what is missing)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import nlp
from handlers.labels import CHANNEL_LABELS, DEMAND_LABELS, FIELD_LABELS, label

_COMMAND = re.compile(r"^\s*(/complain|我要投诉|我想投诉|投诉一下|投诉|complain|i want to complain)[\s,，:：。!！]*",
                      re.I)
# A mobile stated as the consumer's own (a number in the story may be the shop's).
_OWN_PHONE = re.compile(r"(我的|本人|联系)(手机号?码?|电话号?码?|方式)[是为:：\s]*([\d\s\-]{11,15})")
_NAME = re.compile(r"我(?:叫|是)([\u4e00-\u9fff]{2,4})(?=[，,。\s]|$)")
MIN_FACTS_CHARS = 12
CHANNEL_CONFIDENCE = 0.6


def strip_command(text: str) -> str:
    return _COMMAND.sub("", text, count=1).strip()


def from_first_message(raw: str, today: date) -> dict[str, Any]:
    body = strip_command(raw)
    if len(body) < MIN_FACTS_CHARS:
        return {}
    found = nlp.extract(body, today)
    labels = nlp.classify(body)
    draft: dict[str, Any] = {"facts": body}
    if found.merchant:
        draft["merchant"] = found.merchant
    if found.product:
        draft["product"] = found.product
    if found.amount is not None and found.amount > 0:
        draft["amount"] = found.amount
    if found.purchase_date is not None and found.purchase_date <= today:
        draft["purchase_date"] = found.purchase_date.isoformat()
    if found.order_no:
        draft["order_no"] = found.order_no
    demands = tuple(labels.demands) or nlp.parse_demands(body)
    if demands:
        draft["demands"] = list(demands)
    if labels.channel != "unknown" and labels.channel_confidence >= CHANNEL_CONFIDENCE:
        draft["channel"] = labels.channel
    own = _OWN_PHONE.search(body)
    mobile = nlp.parse_mobile(own.group(3)) if own else None
    if mobile:
        draft["consumer_phone"] = mobile
    name = _NAME.search(body)
    if name:
        draft["consumer_name"] = name.group(1)
    return draft


def noted_fields(draft: dict[str, Any], lang: str) -> str:
    """A one-line list of what was understood, so the consumer sees why fewer questions."""
    parts = []
    for key in ("merchant", "product", "purchase_date", "amount", "channel", "demands"):
        if draft.get(key) in (None, "", []):
            continue
        parts.append(f"{label(FIELD_LABELS, key, lang)}：{display_value(key, draft[key], lang)}")
    return "；".join(parts) if lang != "en" else "; ".join(p.replace("：", ": ") for p in parts)


def display_value(key: str, value: Any, lang: str) -> str:
    if value is None:
        return "（未填写）" if lang != "en" else "(not given)"
    if key == "amount":
        return f"{float(value):g}元" if lang != "en" else f"{float(value):g} yuan"
    if key == "channel":
        return label(CHANNEL_LABELS, str(value), lang)
    if key == "demands":
        sep = "、" if lang != "en" else ", "
        return sep.join(label(DEMAND_LABELS, str(code), lang) for code in value)
    return str(value)
