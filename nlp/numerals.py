"""Chinese and mixed numerals: 三千二, 两千五百, 1万2, 3.2k, 二〇二六, 壹仟."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}
LATIN_UNITS = {"k": 1000, "K": 1000}

CN_NUM_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "万萬亿点"
# A number as people write it: Arabic (with thousands separators and decimals) and/or
# Chinese numerals and units, e.g. "3,299.00", "三千二", "1万2", "3.2k", "两千五百".
_CN_START = "".join(DIGITS) + "十拾"
# The tail repeats single characters only (never a nested ``\d+``), so matching stays linear.
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + _CN_START + r"])"
    r"(?:\d|\.(?=\d)|[" + CN_NUM_CHARS + r"kKwW])*+"
)
_TOKEN = re.compile(r"\d+(?:\.\d+)?|.")


def _digit_string(text: str) -> float | None:
    """二〇二六 / 一三九 read digit by digit (no units)."""
    if all(ch in DIGITS for ch in text):
        return float("".join(str(DIGITS[ch]) for ch in text))
    return None


def _fraction(text: str) -> float | None:
    digits = [DIGITS.get(ch) if not ch.isdigit() else int(ch) for ch in text]
    if not digits or any(d is None for d in digits):
        return None
    return float("0." + "".join(str(d) for d in digits))


def parse_number(text: str) -> float | None:
    """Value of a numeral string, or None when it is not one number."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = parse_number(whole) if whole else 0.0
        tail = _fraction(frac)
        if head is None or tail is None:
            return None
        return head + tail
    if len(text) > 1 and text[0] in DIGITS and text[1] in DIGITS:
        return _digit_string(text)
    return _units_value(text)


def _units_value(text: str) -> float | None:
    total = 0.0  # completed 万/亿 groups
    section = 0.0  # current group below 万
    pending: float | None = None  # a digit waiting for its unit
    last_unit = 0  # the unit just used, for "三千二" = 3200
    after_zero = False
    for tok in _TOKEN.findall(text):
        if tok[0].isdigit():
            if pending is not None:
                return None
            pending, after_zero = float(tok), False
        elif tok in DIGITS:
            if pending is not None and not after_zero:
                return None
            after_zero = DIGITS[tok] == 0 and pending is None
            pending = float(DIGITS[tok]) if DIGITS[tok] else None
            if after_zero:
                last_unit = 0
        elif tok in SMALL_UNITS or tok in LATIN_UNITS:
            unit = SMALL_UNITS.get(tok) or LATIN_UNITS[tok]
            section += (1.0 if pending is None else pending) * unit
            pending, last_unit = None, unit
        elif tok in BIG_UNITS:
            unit = BIG_UNITS[tok]
            section += pending or 0.0
            if section == 0 and total == 0:
                section = 1.0
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, pending, last_unit = 0.0, None, unit
        else:
            return None
    if pending is not None:
        # Colloquial tail: 三千二 = 3200, 一万二 = 12000, 1万2 = 12000, 两百五 = 250.
        is_single = pending < 10 and pending == int(pending)
        section += pending * (last_unit // 10) if (last_unit >= 100 and is_single) else pending
    return total + section
