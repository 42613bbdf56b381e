"""The merchant as written: a shop or company name, a car maker, or a platform.

Shop names are found from their last word (旗舰店, 商场, 大药房...) walking left over the
name until a function word, a verb, punctuation or a date; platform prefixes are dropped
(在淘宝网帮宝适官方旗舰店 → 帮宝适官方旗舰店) unless they are part of the name (京东自营).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.lexicon.names import CAR_BRANDS, GENERIC_SELLERS, PLATFORMS
from nlp.sellers import Span, car_span, known_names, patterns

_STOP_CHARS = frozenset(
    "在从到去于的了是和与跟向给被把买购我你他她它这那些里说让叫找问对就都也又还很吗呢吧啊呀哦"
    "嘛您们将且而或及地得着过再才刚已曾太更最每各该此其用花要想会能可并但却因为所以如果日月年"
)
_BOUNDARY_WORDS = (
    "咨询", "购买", "购入", "下单", "联系", "投诉", "反映", "发现", "收到", "使用", "进入", "通过", "关于",
    "对于", "针对", "入住", "住在", "住进", "选择", "推荐", "预订", "预定", "订购", "办理", "参加", "光临",
    "经过", "前往", "来到", "位于", "附近", "旁边", "对面", "楼下", "里面", "门口", "一家", "这家", "那家",
    "整个", "我们", "朋友", "评价", "感觉", "总体", "总的", "这次", "上次", "第一次",
)
_NAME_PUNCT = "·&-()（）"
_GENERIC_PREFIXES = (
    "一家", "这家", "那家", "某家", "某个", "某", "附近", "楼下", "旁边", "对面", "门口", "路边", "街边",
    "小区", "本地", "当地", "网上", "线下", "一个", "一间", "个", "家", "间", "大型", "整个", "本",
)
# "京东自营", "天猫超市": the platform is part of the shop's name, keep it.
_PLATFORM_PART = ("自营", "超市", "国际", "商城", "到家", "外卖")
_SHORT_SUFFIXES = frozenset(("店", "公司", "中心", "市场", "集团", "商行", "酒店", "宾馆", "餐厅"))
_DEALER_SUFFIXES = frozenset(("4S店", "4s店", "经销商", "专卖店", "汽车城"))
_GENERIC = frozenset(GENERIC_SELLERS)
_LEADING_JUNK = re.compile(r"^[\s()（）\-·&]+")
# A stem made only of these describes a kind of shop (四星级酒店, 快捷酒店, 售后服务中心), not one.
_DESCRIPTORS = re.compile(
    r"(?:[一二三四五六七八九\d]星级?|星级|商务|快捷|经济型?|连锁|度假|主题|精品|豪华|高档|普通|大型|小型|"
    r"大|小|老|新|城市|市中心|市|机场|火车站|汽车站|高铁站|景区|会议|健身|娱乐|购物|服务|客服|售后|"
    r"维修|检测|体验|官方|正规|品牌|网红|知名|国营|私人|个人|实体|线下|网上|外地|本地|当地)+"
)
_MAX_UNKNOWN = 9  # unknown characters a shop name may have before its suffix


def _known_ending_at(norm: str, pos: int) -> int:
    """Length of the longest known name ending at ``pos`` (0 when none)."""
    names, lengths = known_names()
    for size in lengths:
        if size <= pos and norm[pos - size : pos] in names:
            return size
    return 0


def _left_edge(norm: str, suffix_start: int) -> int:
    pos, unknown = suffix_start, 0
    while pos > 0 and suffix_start - pos < 16 and unknown < _MAX_UNKNOWN:
        known = _known_ending_at(norm, pos)
        if known:
            pos -= known
            continue
        unknown += 1
        if norm.endswith(_BOUNDARY_WORDS, 0, pos):
            break
        ch = norm[pos - 1]
        if ch in _STOP_CHARS or not (ch.isalnum() or ch in _NAME_PUNCT):
            break
        pos -= 1
    return pos


def _strip_prefixes(norm: str, start: int, stem_end: int) -> int:
    """Skip brackets, generic words and a leading platform; may return ``stem_end``."""
    while start < stem_end:
        junk = _LEADING_JUNK.match(norm, start, stem_end)
        if junk and junk.end() > start:
            start = junk.end()
            continue
        prefix = next((p for p in _GENERIC_PREFIXES if norm.startswith(p, start, stem_end)), None)
        if prefix is None:
            platform = patterns()["platform"].match(norm, start, stem_end)
            rest = platform.end() if platform else start
            if platform and not norm.startswith(_PLATFORM_PART, rest) and rest < stem_end:
                prefix = platform.group(0)
        if prefix is None:
            return start
        start += len(prefix)
    return start


def _suffix_end(norm: str, end: int) -> int:
    """Extend over suffixes that follow directly: 数码|专营店, 广场|店."""
    while True:
        more = patterns()["suffix"].match(norm, end)
        if more is None or (more.group(0) == "店" and norm[more.end() : more.end() + 1] in "里内外员主家"):
            return end
        end = more.end()


def _shop_span(norm: str) -> Span | None:
    """The first shop name; a platform's own shop word (京东商城, 天猫超市) only if nothing
    better follows, since the shop on the platform is the merchant."""
    fallback: Span | None = None
    for span in _shop_spans(norm):
        name = norm[span[0] : span[1]]
        if name in PLATFORMS or patterns()["platform"].fullmatch(name[:-2] or "-"):
            fallback = fallback or span
            continue
        return span
    return fallback


def _shop_spans(norm: str) -> Iterator[Span]:
    for m in patterns()["suffix"].finditer(norm):
        start = _strip_prefixes(norm, _left_edge(norm, m.start()), m.start())
        stem = norm[start : m.start()].strip()
        min_stem = 2 if m.group(0) in _SHORT_SUFFIXES else 1
        if len(stem) < min_stem or stem.isdigit() or norm[start : m.end()] in _GENERIC:
            continue
        if _DESCRIPTORS.fullmatch(stem):
            continue
        if m.group(0) in _DEALER_SUFFIXES and stem.startswith(tuple(CAR_BRANDS)):
            car = patterns()["car"].match(norm, start)
            if car:  # a dealer of a make: car complaints are filed against the maker
                yield car.start(), car.end()
                continue
        yield start, _suffix_end(norm, m.end())


# Complaint platforms mask respondents' names (信*飞): such a token names the merchant.
_MASKED_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,4}\*{1,3}[\u4e00-\u9fffA-Za-z]{1,4}")


def find_merchant(norm: str) -> Span | None:
    """Span of the seller in the normalised text, or None."""
    shop = _shop_span(norm)
    mall = patterns()["mall"].search(norm)
    if mall and (shop is None or mall.start() < shop[0]):
        shop = _strip_prefixes(norm, _left_edge(norm, mall.start()), mall.start()), mall.end()
        shop = shop[0], _suffix_end(norm, shop[1])
    car = car_span(norm)
    if car and car[0] <= 2 and (shop is None or car[0] < shop[0]):
        return car  # a complaint title that opens with the maker: 北京现代名图…
    if shop:
        return shop
    masked = _MASKED_NAME.search(norm)
    if masked:
        return masked.start(), masked.end()
    if car:
        return car
    for key in ("platform", "brand"):
        m = patterns()[key].search(norm)
        if m:
            return m.start(), m.end()
    return None
