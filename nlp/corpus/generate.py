"""The training corpus: complaint texts composed from our own templates and lexicons.

Deterministic for a seed. Styles: formal narrative, colloquial rant, short title,
shopping review; with typos and punctuation noise. Never uses evaluation data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from nlp.corpus import aspects, goods, reviews, services, slots
from nlp.lexicon.categories import CATEGORIES, PRODUCTS
from nlp.lexicon.names import BRANDS, CAR_BRANDS, CAR_MODELS, PLATFORMS

GOODS_NATURE_WEIGHTS = {
    "quality": 30, "after_sales": 14, "contract": 12, "false_advertising": 10, "price": 8,
    "safety": 8, "counterfeit": 7, "measurement": 5, "personal_rights": 3, "other": 3,
}
# Car owners complain about dealers and makers as much as about defects (12365auto titles:
# refused or failed repairs, stock cars sold as new, broken promises).
NATURE_WEIGHTS_BY_CATEGORY = {
    "G06": {"quality": 30, "after_sales": 22, "contract": 16, "false_advertising": 10, "price": 5,
            "safety": 6, "counterfeit": 1, "personal_rights": 2, "other": 3},
}
CHANNEL_WEIGHTS = {"online": 42, "offline": 26, "livestream": 8, "tv_phone_mail": 5, "unknown": 19}
# Cars, homes and farm supplies are rarely bought online.
CHANNEL_BY_CATEGORY = {
    "G06": {"online": 6, "offline": 44, "livestream": 1, "tv_phone_mail": 1, "unknown": 48},
    "G07": {"online": 25, "offline": 45, "livestream": 3, "tv_phone_mail": 2, "unknown": 25},
    "G10": {"online": 15, "offline": 55, "livestream": 3, "tv_phone_mail": 2, "unknown": 25},
}
_SERVICE_VERBS = ("办了", "买了", "订了", "报了", "预约了", "办理了", "开通了")
_GENERIC = frozenset("车 菜 药 书 包 烟 酒 床 鞋 房子 食品 服装 药品 文具 家电 电子产品 日用品".split())


@dataclass
class Example:
    text: str
    category: str
    nature: str
    channel: str = "unknown"
    prepaid: bool = False
    demands: tuple[str, ...] = field(default_factory=tuple)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _brand(rng: random.Random, category: str) -> str:
    names = [b for b, c in BRANDS.items() if c == category]
    return rng.choice(names) if names else rng.choice(slots.SHOP_PREFIXES)


def _shop(rng: random.Random, category: str) -> str:
    city = rng.choice(slots.CITY_PREFIXES) if rng.random() < 0.3 else ""
    return city + rng.choice(slots.SHOP_PREFIXES) + rng.choice(slots.SHOP_TYPES[category])


def _product(rng: random.Random, category: str) -> str:
    if category == "G06" and rng.random() < 0.55:
        return rng.choice(CAR_BRANDS) + rng.choice(CAR_MODELS)
    words = [w for w in PRODUCTS[category] if w not in _GENERIC or rng.random() < 0.1]
    product = rng.choice(words)
    if rng.random() < 0.25 and category in ("G01", "G02", "G03", "G04", "G05", "G08"):
        product = _brand(rng, category) + product
    return product


def _money(rng: random.Random, category: str) -> tuple[int, str]:
    base = {"G06": 150000, "G07": 20000, "G01": 3000, "S07": 30000, "S09": 8000, "S03": 6000}
    value = max(5, int(rng.lognormvariate(0, 0.6) * base.get(category, 300)))
    value = value if value < 1000 else value // 10 * 10
    form = rng.random()
    if form < 0.6:
        return value, f"{value}元"
    if form < 0.75:
        return value, f"{value}块"
    if form < 0.85:
        return value, f"¥{value}"
    return value, f"{value}块钱"


def _channel_phrase(rng: random.Random, channel: str, category: str, service: bool) -> str:
    fill = {"platform": rng.choice(PLATFORMS), "brand": _brand(rng, category), "shop": _shop(rng, category)}
    if service:
        table = {"online": slots.SERVICE_ONLINE, "offline": slots.SERVICE_OFFLINE}
        if channel in table:
            return rng.choice(table[channel]).format(**fill)
        return ""
    table = {"online": slots.ONLINE_PHRASES, "offline": slots.OFFLINE_PHRASES,
             "livestream": slots.LIVESTREAM_PHRASES, "tv_phone_mail": slots.TV_PHONE_PHRASES}
    return rng.choice(table[channel]).format(**fill) if channel in table else ""


def _fill(rng: random.Random, template: str, category: str, **extra: str) -> str:
    a = rng.randint(2, 60) * 10
    values = {
        "n": str(rng.randint(2, 15)), "a": str(a), "b": str(a + rng.randint(1, 30) * 10),
        "c": str(rng.randint(1, 50) * 10), "x": rng.choice(goods.CLAIMS),
        "d": rng.choice(goods.DEFECTS.get(category, ("坏了",))),
        "h": rng.choice(goods.HARMS.get(category, ("出了安全问题",))),
    }
    values.update(extra)
    return template.format(**values)


def _goods_problem(rng: random.Random, category: str, product: str) -> tuple[str, str]:
    weights = dict(NATURE_WEIGHTS_BY_CATEGORY.get(category, GOODS_NATURE_WEIGHTS))
    if category not in goods.MEASURABLE:
        weights.pop("measurement", None)
    if category == "G07":
        weights["counterfeit"] = 1
    nature = _pick(rng, weights)
    templates = goods.GOODS_TEMPLATES[nature]
    extra = goods.EXTRA.get(category, {}).get(nature, ())
    if extra and rng.random() < (0.8 if category == "G06" else 0.5):
        templates = extra
    text = _fill(rng, rng.choice(templates), category, p=product)
    return nature, text


def _service_problem(rng: random.Random, category: str, subject: str) -> tuple[str, str]:
    scenes = services.SCENES[category]
    natures = list(scenes)
    weights = [4 if n in ("contract", "quality") else 2 for n in natures]
    nature = rng.choices(natures, weights=weights)[0]
    return nature, _fill(rng, rng.choice(scenes[nature]), category, s=subject)


def _purchase_clause(rng: random.Random, category: str, item: str, channel: str,
                     service: bool) -> str:
    where = _channel_phrase(rng, channel, category, service)
    when = rng.choice(slots.DATES) if rng.random() < 0.5 else ""
    _, money = _money(rng, category)
    if rng.random() < 0.5:
        paid = f"花了{money}" if rng.random() < 0.5 else f"，价格{money}"
    else:
        paid = ""
    if where and (where.endswith(("的", "了")) or rng.random() < 0.5):
        return f"{when}{where}{item}{paid}"
    verb = rng.choice(_SERVICE_VERBS) if service else rng.choice(slots.BUY_VERBS)
    if where and not where.endswith(("的", "了")):
        verb = ""
    qty = "" if service else rng.choice(slots.QUANTITIES)
    return f"{when}{where}{verb}{qty}{item}{paid}"


def _demand(rng: random.Random, service: bool, category: str = "") -> tuple[str, tuple[str, ...]]:
    if rng.random() < 0.4:
        return "", ()
    if category == "G06" and rng.random() < 0.7:
        return rng.choice(slots.CAR_DEMANDS)
    if service and rng.random() < 0.6:
        return rng.choice(slots.SERVICE_DEMANDS)
    return rng.choice(slots.MORE_DEMANDS if rng.random() < 0.4 else slots.DEMANDS)


def _noise(rng: random.Random, text: str) -> str:
    if rng.random() < 0.25:
        wrong, right = rng.choice(slots.TYPOS)
        text = text.replace(wrong, right, 1)
    if rng.random() < 0.15:
        text = text.replace("，", " ").replace("。", " ")
    if rng.random() < 0.1:
        text = text.replace("，", ",")
    if rng.random() < 0.1:
        text += rng.choice(("！！！", "!!", "。。。", "？？", "~"))
    return text


_PREPAID_PHRASES = ("办了一张{m}的会员卡", "充值了{m}", "预存了{m}", "买了{n}节课的课时包，交了{m}",
                    "办了年卡，花了{m}", "办了储值卡充了{m}", "一次性预付了{m}")


def _join(rng: random.Random, parts: list[str]) -> str:
    parts = [p for p in parts if p]
    out = ""
    for i, part in enumerate(parts):
        out += part
        if i < len(parts) - 1:
            out += rng.choice(("，", "，", "，", "。", "！", " "))
    return out + rng.choice(("。", "", "！", "。"))


def _goods_example(rng: random.Random, category: str) -> Example:
    product = _product(rng, category)
    nature, problem = _goods_problem(rng, category, product)
    channel = _pick(rng, CHANNEL_BY_CATEGORY.get(category, CHANNEL_WEIGHTS))
    style = rng.choices(("formal", "colloquial", "title", "review"), weights=(35, 30, 15, 20))[0]
    if category == "G06" and style == "review":
        style = "title"
    refusal = ""
    if nature == "quality" and rng.random() < 0.2:
        refusal, nature = rng.choice(slots.REFUSALS), "after_sales"
    demand, demands = _demand(rng, service=False, category=category)
    if style == "review":
        channel = "online"
        text = _join(rng, [rng.choice(slots.REVIEW_OPEN) + problem, refusal,
                           rng.choice(slots.REVIEW_CLOSE), demand])
    elif style == "title":
        channel = "unknown"
        text = problem + ("，" + refusal if refusal else "") + ("，" + demand if demand else "")
    else:
        purchase = _purchase_clause(rng, category, product, channel, service=False)
        follow = rng.choice(slots.FOLLOW_UPS) if rng.random() < 0.4 else ""
        mood = rng.choice(slots.MOODS) if style == "colloquial" else ""
        opener = rng.choice(slots.OPENERS) if style == "formal" else ""
        text = _join(rng, [opener + purchase, problem, follow, refusal, mood, demand])
    return Example(_noise(rng, text), category, nature, channel, False, demands)


def _service_example(rng: random.Random, category: str) -> Example:
    subject = rng.choice(services.SUBJECTS[category])
    nature, problem = _service_problem(rng, category, subject)
    channel = rng.choices(("online", "offline", "unknown"), weights=(30, 25, 45))[0]
    if category == "S02":
        channel = "online"
    prepaid = category in services.SERVICE_PREPAID and rng.random() < 0.35
    _, money = _money(rng, category)
    lead = ""
    if prepaid:
        lead = rng.choice(_PREPAID_PHRASES).format(m=money, n=rng.randint(10, 60))
        if rng.random() < 0.6:
            nature, problem = "contract", _fill(rng, rng.choice(services.SCENES[category]["contract"]),
                                                category, s=subject)
    purchase = _purchase_clause(rng, category, subject, channel, service=True)
    if channel == "online" and category == "S02" and rng.random() < 0.5:
        purchase = ""
    demand, demands = _demand(rng, service=True)
    mood = rng.choice(slots.MOODS) if rng.random() < 0.3 else ""
    opener = rng.choice(slots.OPENERS) if rng.random() < 0.4 else ""
    parts = [opener + purchase, lead, problem, mood, demand]
    if rng.random() < 0.3:
        parts = [problem, purchase, lead, demand]
    if not purchase and category != "S02":
        channel = "unknown"
    return Example(_noise(rng, _join(rng, parts)), category, nature, channel, prepaid, demands)


def _stored_goods_example(rng: random.Random) -> Example:
    """Goods paid in advance and shipped on request (寄存): prepaid, usually contract."""
    category = rng.choice(("G02", "G04", "G05"))
    product = _product(rng, category)
    text = _join(rng, [
        f"在{rng.choice(PLATFORMS)}{_brand(rng, category)}旗舰店囤了{rng.randint(2, 20)}箱{product}",
        rng.choice(("寄存在店里分批发货", "付了全款约定分批寄送", "预付了货款让商家先寄存")),
        rng.choice(("现在商家不给发货了", "剩下的一直不发", "店铺关了寄存的货没了", "要求发货被拒绝")),
        rng.choice(("要求尽快发货", "要求退还剩余货款", "")),
    ])
    return Example(_noise(rng, text), category, "contract", "online", True, ())


_ASIDES = ("物流很快", "快递挺快的", "包装还可以", "价格还算便宜", "客服回复挺快", "发货速度快", "外观还行",
           "位置还不错", "交通方便", "卖家发货挺快", "快递小哥态度很好", "第二次买了")


def _review_pool(category: str) -> list[tuple[str, str]]:
    pool = [*aspects.ASPECTS.get(category, ()), *reviews.REVIEWS.get(category, ())]
    if category.startswith("G") and pool:
        pool += reviews.ORDER_PROBLEMS
    return pool


def _aspect_example(rng: random.Random, category: str) -> Example:
    """A shopping/hotel/delivery review that names aspects rather than the product."""
    pool = _review_pool(category)
    chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2))))
    nouns = aspects.ASPECT_NOUNS.get(category, ())
    for _ in range(rng.choice((0, 1, 1, 2)) if nouns else 0):
        nature, predicate = rng.choice(aspects.PREDICATES)
        position = rng.randint(0, len(chosen))
        chosen.insert(position, (nature, rng.choice(nouns) + predicate))
    nature = chosen[0][0]
    clauses = [c for _, c in chosen]
    if rng.random() < 0.6:
        clauses[0] = rng.choice(aspects.REFERENTS.get(category, ("",))) + clauses[0]
    if rng.random() < 0.4:
        clauses.insert(rng.randint(0, len(clauses)), rng.choice(_ASIDES))
    channel = "online" if category.startswith("G") or category == "S02" else "unknown"
    if category == "S01" and rng.random() < 0.2:
        clauses.insert(0, rng.choice(("在携程上订的", "在网上预订的", "通过去哪儿订的")))
        channel = "online"
    demand, demands = _demand(rng, service=False) if rng.random() < 0.5 else ("", ())
    text = _join(rng, [rng.choice(slots.REVIEW_OPEN) + clauses[0], *clauses[1:],
                       rng.choice(slots.REVIEW_CLOSE), demand])
    return Example(_noise(rng, text), category, nature, channel, False, demands)


def generate(n: int, seed: int = 20261122) -> list[Example]:
    """``n`` labelled examples, categories balanced, deterministic for ``seed``."""
    rng = random.Random(seed)
    out: list[Example] = []
    for i in range(n):
        category = CATEGORIES[i % len(CATEGORIES)]
        if rng.random() < 0.015:
            out.append(_stored_goods_example(rng))
        elif _review_pool(category) and rng.random() < 0.45:
            out.append(_aspect_example(rng, category))
        elif category.startswith("G"):
            out.append(_goods_example(rng, category))
        else:
            out.append(_service_example(rng, category))
    return out
