"""Shared name patterns for merchant and product extraction (compiled once, lazily)."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.lexicon.names import (
    AMBIGUOUS_CAR_BRANDS,
    BRANDS,
    CAR_BRANDS,
    CAR_MODELS,
    MALLS,
    PLATFORMS,
    SHOP_SUFFIXES,
)
from nlp.lexicon.places import CITIES, PROVINCES

Span = tuple[int, int]

_CAR_CONTEXT = re.compile(
    r"汽车|车辆|车主|新车|二手车|4[Ss]店|发动机|变速箱|提车|购车|买车|车机|刹车|底盘|油耗|经销商|"
    r"异响|抖动|熄火|方向盘|轮胎|车身|车漆|天窗|召回|保养|变速|车型|排量|续航|电池包"
)


def longest_first(words: list[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern[str]]:
    return {
        "suffix": longest_first(list(SHOP_SUFFIXES)),
        "platform": longest_first(list(PLATFORMS)),
        "mall": longest_first(list(MALLS)),
        "brand": longest_first(list(BRANDS)),
        "car": longest_first(list(CAR_BRANDS)),
        "model": longest_first([m for m in CAR_MODELS if m]),
    }


@lru_cache(maxsize=1)
def known_names() -> tuple[frozenset[str], tuple[int, ...]]:
    """Platforms, brands, car makers, malls and places, and their lengths (longest first)."""
    names = frozenset([*PLATFORMS, *BRANDS, *CAR_BRANDS, *MALLS, *CITIES, *PROVINCES])
    return names, tuple(sorted({len(n) for n in names}, reverse=True))


def model_after(norm: str, pos: int) -> int:
    """End of a car model name starting at ``pos`` (after an optional space or dash), or 0."""
    m = patterns()["model"].match(norm, pos)
    if m is None and norm[pos : pos + 1] in (" ", "-"):
        m = patterns()["model"].match(norm, pos + 1)
    return m.end() if m else 0


def car_span(norm: str) -> Span | None:
    """The first car maker as written, joint-venture dashes included (一汽-大众); ambiguous
    makers (现代, 大众) need a model or car context."""
    for m in patterns()["car"].finditer(norm):
        end = m.end()
        joined = patterns()["car"].match(norm, end + 1) if norm[end : end + 1] in "-·" else None
        if joined and end < len(norm):
            end = joined.end()
        ambiguous = m.group(0) in AMBIGUOUS_CAR_BRANDS and end == m.end()
        if ambiguous and not model_after(norm, end) and not _CAR_CONTEXT.search(norm):
            continue
        return m.start(), end
    return None
