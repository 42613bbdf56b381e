"""Enterprise names reduced for matching: core name, location words, pinyin."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nlp.lexicon.places import CITIES, DISTRICTS, PLACE_SUFFIXES, PROVINCES
from nlp.text import normalize

_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_LEGAL = re.compile(r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|股份公司|分公司|公司|集团)$")
_PARENS = re.compile(r"[（(]([^（）()]{1,20})[)）]")
_PLACES = sorted(set(PROVINCES) | set(CITIES) | set(DISTRICTS), key=len, reverse=True)
_PLACE_RE = re.compile(
    "(?:" + "|".join(_PLACES) + ")(?:" + "|".join(sorted(PLACE_SUFFIXES, key=len, reverse=True))
    + ")?"
)
_BRANCH = re.compile(r"(?:" + "|".join(_PLACES) + r")(?:区|县|市)?(?:分店|店|分公司|分部|分院|门店)$")

# Words that say what kind of business it is; a name made only of them names nobody.
GENERIC_WORDS: tuple[str, ...] = tuple(sorted(
    "超市 商场 广场 购物广场 购物中心 百货 百货大楼 商城 商厦 大厦 大药房 药房 药店 连锁 酒店 大酒店 宾馆 "
    "饭店 餐厅 店 分店 门店 专卖店 旗舰店 公司 景区 旅行社 健身 中心 医院 诊所 家电 电器 汽车 4s店 "
    "商贸 贸易 实业 发展 科技 有限 市场 国际 时代 购物 生活 便利店 便利 家居 建材 物流 快递 银行 "
    "保险 教育 培训 学校 酒楼 火锅 美容 美发 影城 影院 游乐园 公园 旅游 航空 物业 装饰 装修 "
    "风景区 风景名胜区 管理处 开发 度假区 城 馆 景点 网 旅行网 官网 平台 app 总店 连锁店 营业厅 营业部 "
    "门市".split(),
    key=len, reverse=True))
_GENERIC_RE = re.compile("|".join(re.escape(w) for w in GENERIC_WORDS))
_BRANCH_WORD = re.compile(r"(?:分店|店|分公司|分部|分院|门店|营业部)$")
_PLACE_SUFFIX_RE = re.compile("(?:" + "|".join(sorted(PLACE_SUFFIXES, key=len, reverse=True)) + ")$")
_BRANCH_OF_LEGAL = re.compile(r"有限(?:责任)?公司(?P<branch>[\u4e00-\u9fff]{1,8}?)分(?:公司|店)$")


def fold(text: str) -> str:
    """Lowercase, width-folded, simplified, without spaces and punctuation."""
    return _NON_WORD.sub("", normalize(text).lower())


def place_key(place: str) -> str:
    """铁东区 → 铁东, 鞍山店 → 鞍山, 鞍山市 → 鞍山."""
    return _PLACE_SUFFIX_RE.sub("", _BRANCH_WORD.sub("", place)) or place


def city_of_place(place: str) -> str:
    """The city a place word belongs to ('' when unknown)."""
    base = place_key(place)
    if base in CITIES:
        return base
    return DISTRICTS.get(base, "")


@lru_cache(maxsize=65536)
def places_in(text: str) -> tuple[str, ...]:
    """Every known place word in a text, as keys (铁东, 鞍山)."""
    return tuple(place_key(m.group(0)) for m in _PLACE_RE.finditer(fold(text)))


@dataclass(frozen=True)
class NameParts:
    core: str
    full: str  # the core with its leading place words kept: 山丹军马场
    places: tuple[str, ...]  # place keys: 鞍山, 铁东
    branches: tuple[str, ...]  # branch words that are not places: 万象汇
    is_branch: bool  # one branch of a larger business: （鞍山店）, 鞍山分公司


def _branches(text: str) -> list[str]:
    out = []
    for m in _PARENS.finditer(text):
        inner = fold(_BRANCH_WORD.sub("", m.group(1)))
        for place in _PLACE_RE.findall(inner):
            inner = inner.replace(place, "")
        if len(inner) >= 2:
            out.append(inner)
    return out


@lru_cache(maxsize=65536)
def split_name(name: str) -> NameParts:
    """Core name without places, branch and legal suffix; places and branches kept apart."""
    text = normalize(name)
    places = list(places_in(text))
    branches = _branches(text)
    is_branch = bool(_PARENS.search(text))
    text = fold(_PARENS.sub("", text))
    legal_branch = _BRANCH_OF_LEGAL.search(text)
    if legal_branch:
        branches.append(place_key(legal_branch.group("branch")))
        text = text[: legal_branch.start()]
        is_branch = True
    text = _LEGAL.sub("", text)
    branch = _BRANCH.search(text)
    if branch and branch.start() >= 2:
        text = text[: branch.start()]
        is_branch = True
    full = text
    while True:
        lead = _PLACE_RE.match(text)
        if lead is None or len(text) - lead.end() < 2 or not stem(text[lead.end() :]):
            break
        text = text[lead.end() :]
    text = _LEGAL.sub("", text) or text
    full = _LEGAL.sub("", full) or full
    return NameParts(text, full, tuple(dict.fromkeys(places)), tuple(branches), is_branch)


# Kinds of business; a query of one kind does not name an enterprise of another kind
# (华联超市 is not 华联商厦).
TYPE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("超市", "便利店", "生鲜"), ("商场", "商厦", "百货", "购物中心", "购物广场", "商城", "大厦", "广场"),
    ("药房", "药店", "大药房", "医药"), ("酒店", "宾馆", "大酒店", "饭店", "旅馆", "客栈"),
    ("景区", "景点", "风景区", "公园", "峡谷", "小镇", "度假"), ("家电", "电器", "数码"),
    ("家居", "家具", "建材"), ("学校", "培训", "教育", "学院"), ("美发", "美容", "理发"),
    ("健身", "俱乐部", "体育"), ("4s店", "汽车"), ("眼镜",), ("物业",), ("快递", "速运", "物流"),
    ("火锅", "餐厅", "饭店", "酒楼"),
)
# Function words and the verbs a sentence puts right after a name (京东|上买的, 丹霞|玩).
_QUERY_STOP = frozenset("在从到去于的了是和与跟向给被把买购我你他她它这那里说就都也又还很吗呢吧啊呀办订"
                        "上玩吃住看用点")
_TYPE_OF: dict[str, frozenset[int]] = {}
for _i, _group in enumerate(TYPE_GROUPS):
    for _word in _group:  # 饭店 is a hotel and a restaurant
        _TYPE_OF[_word] = _TYPE_OF.get(_word, frozenset()) | {_i}


_TYPE_LENGTHS = sorted({len(w) for w in _TYPE_OF}, reverse=True)


@lru_cache(maxsize=65536)
def business_types(text: str) -> frozenset[int]:
    """Indices of the business kinds a name mentions (a dictionary scan: names are short)."""
    found: set[int] = set()
    for i in range(len(text)):
        for n in _TYPE_LENGTHS:
            kinds = _TYPE_OF.get(text[i : i + n])
            if kinds is not None:
                found |= kinds
                break
    return frozenset(found)


def continues(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is glued to more name (新东方|烹饪学校) rather than set
    apart by a function word, a place or a business word (在|鑫汇广场|买的, 千盛百货|鞍山店)."""
    after = text[end : end + 1]
    if after and after not in _QUERY_STOP and not _GENERIC_RE.match(text, end):
        if not _PLACE_RE.match(text, end) and not _BRANCH_WORD.match(after):
            return True
    before = text[start - 1 : start] if start > 0 else ""
    if before and before not in _QUERY_STOP:
        ends_place = any(m.end() == start for m in _PLACE_RE.finditer(text, max(0, start - 6), start))
        ends_generic = text.endswith(GENERIC_WORDS, 0, start)
        return not ends_place and not ends_generic
    return False


_CITY_RE = re.compile("|".join(sorted(set(CITIES) | set(PROVINCES), key=len, reverse=True)))


def distinctive(stem_text: str) -> bool:
    """A stem that names someone: not empty and not only a city or province (张掖大酒店)."""
    return bool(_CITY_RE.sub("", stem_text))


def stem(core: str) -> str:
    """The distinctive part of a core name (generic business words removed)."""
    return _GENERIC_RE.sub("", core)


@lru_cache(maxsize=8192)
def _char_pinyin(ch: str) -> str:
    from pypinyin.constants import PINYIN_DICT  # local: pypinyin is slow to import

    readings = PINYIN_DICT.get(ord(ch))
    if not readings:
        return ch
    first = readings.split(",")[0]
    plain = unicodedata.normalize("NFKD", first)
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("ü", "v")


def pinyin(text: str) -> tuple[str, ...]:
    """One toneless syllable per Chinese character; other characters stay as they are."""
    return tuple(_char_pinyin(ch) if "\u3400" <= ch <= "\u9fff" else ch for ch in text)


_FUZZY = ((re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
          (re.compile(r"ng$"), "n"), (re.compile(r"^l"), "n"), (re.compile(r"^f"), "h"))


@lru_cache(maxsize=4096)
def fuzzy_syllable(syllable: str) -> str:
    """Regional merges a pinyin keyboard user makes: zh/z, ch/c, sh/s, -ng/-n, l/n, f/h."""
    for pattern, repl in _FUZZY:
        syllable = pattern.sub(repl, syllable)
    return syllable


@lru_cache(maxsize=16384)
def _fuzzy_char(ch: str) -> str:
    return fuzzy_syllable(_char_pinyin(ch)) if "\u3400" <= ch <= "\u9fff" else ch


def fuzzy_pinyin(text: str) -> str:
    """Space-separated fuzzy syllables, one per character."""
    return " ".join(map(_fuzzy_char, text))
