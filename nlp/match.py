"""Enterprise matching: a name as a consumer writes it -> an enrolled enterprise, or None.

Candidates come from an inverted index of character and pinyin bigrams; each candidate is
scored against every name variant (exact, contained, abbreviation, homophone, fuzzy), then
adjusted by location. The best is returned only when it is good enough *and* clearly
ahead of the runner-up, so a confusable pair yields None and the intake asks the consumer.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.match_score import Variant, score_variant
from nlp.match_text import (
    business_types,
    city_of_place,
    distinctive,
    fold,
    fuzzy_pinyin,
    places_in,
    split_name,
    stem,
)
from nlp.tokenizer import enrol_names
from nlp.types import EnterpriseRecord, MatchResult

ACCEPT_SCORE = 0.80
ACCEPT_MARGIN = 0.06
MAX_CANDIDATES = 40
TYPE_CONFLICT = 0.2  # 华联超市 is not 华联商厦
CITY_MISMATCH = 0.25  # the consumer named another city: another branch, not enrolled
UNLOCATED_BRANCH = ACCEPT_SCORE - 0.01  # one branch of a chain, and nothing says which
OWN_NAME = 0.9  # the branch's own alias, written whole in the query, names it
SHARED_STEM = 0.1  # a runner-up this close whose name also starts with the bare brand: ask
COMMON_GRAM = 0.08  # a gram in more than this share of records is not used for recall


@dataclass(frozen=True)
class _Entry:
    record: EnterpriseRecord
    variants: tuple[Variant, ...]
    places: frozenset[str]
    cities: frozenset[str]
    types: frozenset[int]
    is_branch: bool
    own_from: int  # variants from this index on come from aliases: this branch's own names


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _pinyin_grams(text: str) -> set[str]:
    syllables = fuzzy_pinyin(text).split()
    return {"~" + a + "|" + b for a, b in zip(syllables, syllables[1:], strict=False)}


def _variants(text: str) -> tuple[Variant, ...]:
    """The name without places (鑫汇国际时代广场) and, when different, with its leading
    place kept (山丹军马场: the county is part of the name)."""
    parts = split_name(text)
    forms = [parts.core, parts.full] if parts.full != parts.core else [parts.core]
    return tuple(
        Variant(core=form, stem=stem(form), sound=fuzzy_pinyin(form)) for form in forms if form
    )


def _location_words(record: EnterpriseRecord) -> tuple[frozenset[str], frozenset[str]]:
    """Location keys (places and branch words) and the cities they belong to."""
    keys: set[str] = set()
    for text in (record.name, *record.aliases, record.district, record.address):
        if text:
            parts = split_name(text)
            keys.update(parts.places)
            keys.update(parts.branches)
            keys.update(places_in(text))
    cities = {city_of_place(k) for k in keys} - {""}
    return frozenset(k for k in keys if len(k) >= 2), frozenset(cities)


class EnterpriseIndex:
    """Enrolled enterprises, searchable by the names consumers use."""

    def __init__(self, records: Iterable[EnterpriseRecord]) -> None:
        self._entries: list[_Entry] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self._add(record)
        limit = max(50, int(len(self._entries) * COMMON_GRAM))
        self._common = {g for g, ids in self._postings.items() if len(ids) > limit}
        enrol_names(self.names())

    def _add(self, record: EnterpriseRecord) -> None:
        names = (record.name, *record.aliases)
        variants = tuple(v for n in names for v in _variants(n))
        places, cities = _location_words(record)
        position = len(self._entries)
        types = frozenset().union(*(business_types(v.core) for v in variants))
        is_branch = split_name(record.name).is_branch
        own_from = len(_variants(record.name))
        self._entries.append(_Entry(record, variants, places, cities, types, is_branch, own_from))
        grams: set[str] = set()
        for v in variants:
            grams |= _grams(v.core) | _pinyin_grams(v.core)
        for gram in grams:
            self._postings[gram].append(position)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """Every enrolled name and alias (also enrolled in the tokenizer's dictionary)."""
        return [n for e in self._entries for n in (e.record.name, *e.record.aliases)]

    def _candidates(self, query: str) -> list[int]:
        grams = _grams(query) | _pinyin_grams(query)
        counts: dict[int, float] = defaultdict(float)
        rare = [g for g in grams if g in self._postings and g not in self._common]
        total = len(self._entries)
        for gram in rare or [g for g in grams if g in self._postings]:
            postings = self._postings[gram]
            weight = math.log(1.0 + total / len(postings))  # a rare gram (国芳) says more than 购物
            for i in postings:
                counts[i] += weight
        # Ties broken by registry order, not by set iteration order: same answer every run.
        best = heapq.nsmallest(MAX_CANDIDATES, counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [i for i, _ in best]

    def match(self, text: str, city_hint: str | None = None) -> MatchResult:
        """Best enterprise for ``text``; None unless the score and the margin are high enough."""
        queries = _variants(text[:200])
        if not queries or not distinctive(queries[0].stem) or not self._entries:
            return MatchResult(None, 0.0, ())  # nothing but places and business words
        hints = _hints(text[:200], city_hint)
        query_types = business_types(queries[0].core)
        head = queries[0]
        bare = head.stem if len(head.stem) >= 2 and head.core == head.stem else ""
        base: dict[str, float] = {}
        adjusted: dict[str, float] = {}
        bearing: set[str] = set()
        for i in self._candidates(queries[0].core):
            entry = self._entries[i]
            score = _score_entry(queries, entry, hints)
            if query_types and entry.types and not query_types & entry.types:
                score -= TYPE_CONFLICT
            moved = _adjust_for_location(score, entry, hints)
            if moved > adjusted.get(entry.record.id, -1.0):
                base[entry.record.id], adjusted[entry.record.id] = score, moved
            if bare and any(v.stem.startswith(bare) for v in entry.variants):
                bearing.add(entry.record.id)
        return _decide(base, adjusted, bearing)


def _score_entry(queries: tuple[Variant, ...], entry: _Entry, hints: _Hints) -> float:
    """Best variant score; a branch word of this entry in the query (海底捞|万象汇|店) is read
    as its location, and a chain's name alone does not pick one branch of it (中国移动)."""
    named = [key for key in entry.places if key in hints.text]
    forms = list(queries)
    for key in named:
        forms.extend(_variants(hints.text.replace(key, "")))
    chain = max(score_variant(q, v) for q in forms for v in entry.variants[: entry.own_from])
    own = max((score_variant(q, v) for q in forms for v in entry.variants[entry.own_from :]),
              default=0.0)
    best = max(chain, own)
    located = bool(named) or bool(hints.cities & entry.cities)
    if entry.is_branch and not located and best < 1.0 and own < OWN_NAME:
        best = min(best, UNLOCATED_BRANCH)
    return best


def _decide(base: dict[str, float], adjusted: dict[str, float], bearing: set[str]) -> MatchResult:
    """Accept the best only when it is good on its own, after location, and clearly ahead;
    a bare brand (兴隆) that two close candidates bear names neither."""
    ranked = sorted(adjusted.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    if not ranked:
        return MatchResult(None, 0.0, ())
    candidates = tuple((eid, round(max(0.0, min(1.0, s)), 4)) for eid, s in ranked)
    top_id, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    good = base[top_id] >= ACCEPT_SCORE and top >= ACCEPT_SCORE
    if top_id in bearing and len(ranked) > 1 and ranked[1][0] in bearing and top - second < SHARED_STEM:
        good = False
    chosen = top_id if good and top - second >= ACCEPT_MARGIN else None
    return MatchResult(chosen, candidates[0][1], candidates)


@dataclass(frozen=True)
class _Hints:
    text: str  # the folded query, for branch words such as 万象汇
    cities: frozenset[str]


def _hints(text: str, city_hint: str | None) -> _Hints:
    cities = {city_of_place(p) for p in places_in(text)}
    if city_hint:
        hinted = places_in(city_hint) or (fold(city_hint),)
        cities |= {city_of_place(p) or p for p in hinted}
    return _Hints(fold(text), frozenset(cities - {""}))


def _adjust_for_location(score: float, entry: _Entry, hints: _Hints) -> float:
    """Branch or district named: a small bonus; the same city: a bonus; another city: a penalty."""
    if any(key in hints.text for key in entry.places):
        score += 0.05
    if hints.cities and entry.cities:
        score = score + 0.04 if hints.cities & entry.cities else score - CITY_MISMATCH
    return score
