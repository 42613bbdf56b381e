"""Similarity of a query name to one enrolled name variant, in 0..1.

The levels are ordered by how much each kind of agreement proves: the same characters
beat the same sounds, the whole name beats its distinctive part (stem), and a fuzzy
resemblance alone never reaches the acceptance threshold unless it is close.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from nlp.match_text import continues, fuzzy_pinyin


@dataclass(frozen=True)
class Variant:
    core: str  # folded name without places and legal suffix: 鑫汇国际时代广场
    stem: str  # without generic business words: 鑫汇
    sound: str  # fuzzy pinyin of core: "xin hui guo ji si dai guan cang"


@lru_cache(maxsize=65536)
def _stem_sound(stem: str) -> str:
    return fuzzy_pinyin(stem)


GLUED = 0.70  # the name sits inside a longer, different name: 新东方|烹饪学校
SAME_SOUND = 0.93  # below the same characters (1.0) by more than the acceptance margin


def _inside(part: str, text: str) -> float:
    """1 when ``part`` stands apart in ``text``, GLUED when it is glued to more name, else 0."""
    at = text.find(part)
    if at < 0:
        return 0.0
    return GLUED if continues(text, at, at + len(part)) else 1.0


def _leads(part: str, text: str) -> bool:
    """Whether ``part`` starts a name in ``text``: an abbreviation keeps the leading characters
    (兴隆 of 兴隆大家庭); 鑫汇 inside 鼎鑫汇 is another brand."""
    at = text.find(part)
    return at == 0 or not continues(text, at, at)


def _whole(query: Variant, name: Variant) -> float:
    """The enrolled name, written or sounded, is all of the query or inside it."""
    if len(name.core) >= 2 and name.stem:
        inside = _inside(name.core, query.core)
        if inside == 1.0:
            return 0.95
        if inside:
            return GLUED
    if query.sound == name.sound:
        return SAME_SOUND
    if len(name.core) >= 3 and name.stem:
        return _sounded_inside(query, name)
    return 0.0


def _sounded_inside(query: Variant, name: Variant) -> float:
    """The name's sound inside the query's: 0.90 when it stands apart, GLUED when more name
    surrounds it (华润|玩家超市 sounds like 万佳超市 but names 华润万家)."""
    padded = f" {query.sound} "
    at = padded.find(f" {name.sound} ")
    if at < 0:
        return 0.0
    start = padded[: at + 1].count(" ") - 1  # one syllable per character
    return GLUED if continues(query.core, start, start + len(name.core)) else 0.90


def _part(query: Variant, name: Variant) -> float:
    """The distinctive part agrees: 鑫汇 for 鑫汇国际时代广场, 千盛 inside a sentence."""
    best = 0.0
    if len(query.stem) >= 2 and query.stem == name.stem:
        best = 0.86
    if len(query.stem) >= 2 and query.stem in name.core:
        led = _leads(query.stem, name.core)
        best = max(best, 0.78 + 0.12 * len(query.stem) / max(len(name.core), len(query.stem))
                   if led else GLUED)
    if len(name.stem) >= 2 and name.stem in query.core:
        score = 0.78 + 0.14 * len(name.stem) / max(len(query.core), len(name.stem))
        best = max(best, score if _inside(name.stem, query.core) == 1.0 else GLUED)
    if best == 0.0 and len(query.stem) >= 2 and _stem_sound(query.stem) == _stem_sound(name.stem):
        best = min(0.88, 0.73 + 0.03 * len(query.stem))  # a longer homophone proves more
    if best == 0.0 and len(query.core) >= 3 and f" {query.sound} " in f" {name.sound} ":
        best = 0.82
    return best


def _fuzzy(query: Variant, name: Variant) -> float:
    chars = fuzz.ratio(query.core, name.core) / 100.0
    sound = fuzz.ratio(query.sound, name.sound) / 100.0
    return 0.35 * chars + 0.55 * sound


def score_variant(query: Variant, name: Variant) -> float:
    """Best of the matching strategies; exact equality scores 1."""
    if query.core == name.core:
        return 1.0
    whole = _whole(query, name)
    if whole >= SAME_SOUND:
        return whole
    return max(whole, _part(query, name), _fuzzy(query, name))
