"""Reading and validating one answer for one intake field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import nlp
from handlers.labels import CHANNEL_CHOICES, CHANNEL_LABELS, DEMAND_CHOICES, DEMAND_LABELS

SKIP_WORDS = re.compile(r"^(跳过|不记得|不知道|忘了|记不清|没有|无|skip|don'?t know|n/?a)[。.!！]?$", re.I)
_NUMBERS = re.compile(r"\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Names: Chinese or Latin letters, spaces, the middle dot of transliterated names, - and '.
_NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z·.' \-]+")


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    ok: bool = False
    error: str | None = None
    """Catalogue key of the hint to show when not ok."""
    warning: str | None = None
    skip: bool = False


def is_skip(text: str) -> bool:
    return bool(SKIP_WORDS.match(text.strip()))


def pick_number(text: str, count: int) -> int | None:
    """1-based number of a choice when the answer is just that number."""
    stripped = text.strip().rstrip("。.")
    if stripped.isascii() and stripped.isdigit() and 0 <= int(stripped) <= count:
        return int(stripped)
    return None


def parse_field(name: str, text: str, today: date) -> Parsed:
    text = text.strip()
    parser = _PARSERS.get(name, _free_text)
    return parser(text, today)


def _free_text(text: str, _today: date) -> Parsed:
    if not text or not (_CJK.search(text) or re.search(r"[A-Za-z]{2,}", text)):
        return Parsed(error="bad_text")
    return Parsed(value=text[:300], ok=True)


def _merchant(text: str, _today: date) -> Parsed:
    text = text.strip(" 。.,，")
    if len(text) < 2 or text.isdigit():
        return Parsed(error="bad_merchant")
    return Parsed(value=text[:200], ok=True)


def _facts(text: str, _today: date) -> Parsed:
    if len(text) < 4 or not (_CJK.search(text) or re.search(r"[A-Za-z]{3,}", text)):
        return Parsed(error="bad_text")
    return Parsed(value=text, ok=True)


def _amount(text: str, _today: date) -> Parsed:
    value = nlp.parse_amount(text)
    if value is None and re.fullmatch(r"\d+(\.\d{1,2})?", text):
        value = float(text)
    if value is None or not 0 < value < 1e10:  # also refuses inf from a huge digit run
        return Parsed(error="bad_amount")
    return Parsed(value=round(float(value), 2), ok=True)


def _purchase_date(text: str, today: date) -> Parsed:
    value = nlp.parse_date(text, today)
    if value is None or value > today:
        return Parsed(error="bad_date")
    warning = "old_date" if value < today - timedelta(days=3 * 365) else None
    return Parsed(value=value.isoformat(), ok=True, warning=warning)


def _channel(text: str, _today: date) -> Parsed:
    number = pick_number(text, len(CHANNEL_CHOICES))
    if number:
        return Parsed(value=CHANNEL_CHOICES[number - 1], ok=True)
    for code in CHANNEL_CHOICES:
        if any(text == lab or text in lab.split("（")[0] for lab in CHANNEL_LABELS[code]):
            return Parsed(value=code, ok=True)
    parsed = nlp.parse_channel(text)
    return Parsed(value=parsed, ok=True) if parsed else Parsed(error="bad_choice")


def _demands(text: str, _today: date) -> Parsed:
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if numbers and re.fullmatch(r"[\d\s,，、和及/]+", text):
        if all(1 <= n <= len(DEMAND_CHOICES) for n in numbers):
            return Parsed(value=sorted({DEMAND_CHOICES[n - 1] for n in numbers},
                                       key=DEMAND_CHOICES.index), ok=True)
        return Parsed(error="bad_choice")
    codes = list(nlp.parse_demands(text))
    for code, labels in DEMAND_LABELS.items():
        if code not in codes and any(text == lab for lab in labels):
            codes.append(code)
    return Parsed(value=codes, ok=True) if codes else Parsed(error="bad_choice")


def _phone(text: str, _today: date) -> Parsed:
    value = nlp.parse_mobile(text)
    return Parsed(value=value, ok=True) if value else Parsed(error="bad_phone")


def _name(text: str, _today: date) -> Parsed:
    cleaned = re.sub(r"^(我叫|我是|姓名[:：]?|名字[:：]?|my name is|i am|i'm)\s*", "", text.strip(),
                     flags=re.I).strip(" 。.,，")
    if not 1 < len(cleaned) <= 40 or not _NAME_CHARS.fullmatch(cleaned):
        return Parsed(error="bad_text")
    return Parsed(value=cleaned, ok=True)


def _address(text: str, _today: date) -> Parsed:
    cleaned = text.strip(" 。.,，")
    if len(cleaned) < 2 or cleaned.isdigit():
        return Parsed(error="bad_text")
    return Parsed(value=cleaned[:300], ok=True)


def split_contact(text: str) -> tuple[str | None, str | None, bool]:
    """(name, mobile, had_digits) from an answer like "张三 13912345678"."""
    mobile = nlp.parse_mobile(text)
    had_digits = sum(ch.isdigit() for ch in text) >= 5
    rest = text
    if mobile:
        rest = re.sub(r"[\d\s\-+]{7,}", " ", text)
    rest = re.sub(r"(手机号?|电话|联系方式|号码)[:：是]?", " ", rest)
    named = _name(re.sub(r"[,，;；/]", " ", rest).strip(), date.min)
    return (named.value if named.ok else None), mobile, had_digits


_PARSERS = {
    "merchant": _merchant,
    "merchant_address": _address,
    "product": _free_text,
    "facts": _facts,
    "amount": _amount,
    "purchase_date": _purchase_date,
    "channel": _channel,
    "demands": _demands,
    "consumer_phone": _phone,
    "consumer_name": _name,
    "consumer_address": _address,
}
