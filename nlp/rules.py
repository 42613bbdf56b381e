"""Lexicon rules: evidence for labels where word lists are more reliable than the model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp.lexicon.categories import ASPECT_HINTS, DELIVERY_WORDS, PRODUCTS
from nlp.lexicon.cues import (
    NATURE_CUE_WEIGHT,
    NATURE_CUES,
    NATURE_WEAK_CUES,
    PREPAID_CUES,
    PREPAID_WEAK_CUES,
    WEAK_CUE_FACTOR,
)
from nlp.lexicon.names import AMBIGUOUS_CAR_BRANDS, BRANDS, CAR_BRANDS, CAR_MODELS, PLATFORMS
from nlp.scan import WordScanner, ascii_lower

_MODELS = frozenset(CAR_MODELS)
# Words every online complaint uses; they hint at the platform's service only weakly.
_WEAK_WORDS = frozenset("平台 APP app 软件 商城 网店 店铺 积分 红包 账号 会员 小程序 配送".split())


@lru_cache(maxsize=1)
def _category_of_word() -> dict[str, tuple[str, float]]:
    """Word -> (category, strength): products and brands 1 (one character 0.4), words every
    online complaint uses 0.3, reviewers' aspect words 0.35, delivery words 1.5."""
    table: dict[str, tuple[str, float]] = {}
    for code, words in PRODUCTS.items():
        for word in words:
            table.setdefault(word, (code, 1.0 if len(word) > 1 else 0.4))
    for brand, code in BRANDS.items():
        table.setdefault(brand, (code, 1.0))
    for brand in CAR_BRANDS:
        if brand not in AMBIGUOUS_CAR_BRANDS:
            table.setdefault(brand, ("G06", 1.0))
    for word in _WEAK_WORDS:
        if word in table:
            table[word] = (table[word][0], 0.3)
    for word, entry in _aspect_of_word().items():
        table.setdefault(word, entry)
    for platform in PLATFORMS:
        table.pop(platform, None)
    return table


@lru_cache(maxsize=1)
def _aspect_of_word() -> dict[str, tuple[str, float]]:
    table = {word: (code, 0.35) for code, words in ASPECT_HINTS.items() for word in words}
    table.update((word, ("S02", 1.5)) for word in DELIVERY_WORDS)
    return table


@lru_cache(maxsize=1)
def _nature_scanner() -> tuple[WordScanner, dict[str, tuple[tuple[str, float], ...]]]:
    """A scanner over every cue and the weighted natures each cue signals."""
    natures: dict[str, list[tuple[str, float]]] = {}
    for table, factor in ((NATURE_CUES, 1.0), (NATURE_WEAK_CUES, WEAK_CUE_FACTOR)):
        for code, words in table.items():
            for word in words:
                natures.setdefault(ascii_lower(word), []).append((code, factor))
    return WordScanner(natures), {w: tuple(c) for w, c in natures.items()}


_PREPAID = re.compile("|".join(re.escape(w) for w in PREPAID_CUES), re.IGNORECASE)
_PREPAID_WEAK = re.compile("|".join(re.escape(w) for w in PREPAID_WEAK_CUES))


def category_votes(words: Sequence[str]) -> dict[str, float]:
    """Category votes from product, brand and aspect words; earlier mentions weigh more."""
    table = _category_of_word()
    votes: dict[str, float] = {}
    for position, word in enumerate(words):
        entry = table.get(word)
        if entry is None and word in AMBIGUOUS_CAR_BRANDS:  # 现代 counts before 名图
            if words[position + 1 : position + 2] and words[position + 1] in _MODELS:
                entry = ("G06", 1.0)
        if entry is not None:
            code, strength = entry
            votes[code] = votes.get(code, 0.0) + strength / (1.0 + position / 40.0)
    return votes


# Emphasis inside a word ("拉！肚！子！") must not hide it from the cue lists.
_EMPHASIS = re.compile(r"(?<=[\u4e00-\u9fff])[！!~～]+(?=[\u4e00-\u9fff])")


def nature_votes(norm: str) -> dict[str, float]:
    """Problem-nature votes from cue words."""
    scanner, natures = _nature_scanner()
    hits: dict[str, float] = {}
    for _, word in scanner.find(_EMPHASIS.sub("", norm)):
        for code, factor in natures[word]:
            hits[code] = hits.get(code, 0.0) + factor
    return {code: NATURE_CUE_WEIGHT[code] * min(n, 3.0) for code, n in hits.items()}


def prepaid_cue(norm: str) -> float:
    """1 for an unmistakable prepaid cue (会员卡, 年卡, 寄存), 0.5 for a weak one (充值), else 0."""
    if _PREPAID.search(norm):
        return 1.0
    return 0.5 if _PREPAID_WEAK.search(norm) else 0.0
