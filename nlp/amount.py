"""Money amounts: the sum the consumer paid, in yuan."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.numerals import NUMBER_PATTERN, parse_number
from nlp.text import normalize

_UNIT = r"(?:元钱|元|块钱|块|圆|大洋|软妹币|rmb|RMB|yuan|CNY|人民币|(?<=\d)刀)"
_MONEY = re.compile(
    r"(?P<cur>[¥￥$]|RMB|rmb|人民币)\s*(?P<num1>" + NUMBER_PATTERN + r")"
    r"|(?P<num2>" + NUMBER_PATTERN + r")\s*(?P<approx>[多余来]?)\s*" + _UNIT
)
# A bare number as a whole answer: "3299", "三千二", "3.2k", "大概1万2".
_FILLER = re.compile(r"[\s,，。!！:：]|花了|付了|一共|总共|共计|共|大概|大约|差不多|左右|是|我|的")
_BARE = re.compile(r"^(?P<num>" + NUMBER_PATTERN + r")$")

_PAID_BEFORE = re.compile(
    r"(花了|花费|付了|付款|支付|实付|付|买了|购买|购入|价格|价钱|价值|售价|单价|总价|原价|标价|"
    r"共计|一共|总共|合计|充值|充了|交了|缴纳|缴了|交纳|办了|订金|定金|押金|首付|全款|"
    r"消费|收了|收取|收费|扣了|扣费|多收|收我|要了|掏了|花|用了|paid|spent|cost)"
    r"[^，。,;；!！?？]{0,6}$"
)
_PAID_AFTER = re.compile(r"^[^，。,;；!！?？]{0,3}(买|购|的价格|充值|办|订|报名|交给)")
_OTHER_BEFORE = re.compile(
    r"(赔偿|赔|补偿|罚|索赔|违约金|差价|优惠|红包|返现|返利|补贴|降价|便宜|抵扣|积分|运费|"
    r"减|省|赚|工资|月薪|收入|利息|额度|借了|借款|贷款|退款|退还|退回|退了|退我|返还|退|"
    r"如果|要是|假如|若是|涨价)"
    r"[^，。,;；!！?？]{0,6}$"
)
# A price seen elsewhere, not paid here: "实体店才680元", "别家同款只要99".
_ELSEWHERE_BEFORE = re.compile(
    r"(实体店|别家|别的店|其他店|其它店|其他家|外面卖|外面买|同款|不如)[^，。,;；!！?？]{0,8}$"
)
_APPROX_BEFORE = re.compile(r"(约|大约|大概|差不多|将近|接近|好几|几|左右)$")


# A bare number right after a strong paid cue: "花了4014", "实付288", "订单金额 4014".
_BARE_PAID = re.compile(
    r"(?:花了|花费了?|付了|付款|支付了?|实付款?|实付金额|订单金额|金额|总价|售价|价格|价钱|一共|总共|共计|"
    r"合计|收了|收取了?|扣了|扣款|多收了?|房价|房费|票价|车费|学费|会费|货款)\s*(?:是|为|了我|了|我)?\s*[:：]?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d.]|,\d|\s*[多余个天次月年号点件台%倍斤克米块元星级寸层楼岁人分秒周折成gG])"
)


# A hotel or unit price written without a currency word: "260一晚", "288/晚".
_PER_NIGHT = re.compile(
    r"(?<![\d.])(?P<num>\d{2,5}(?:\.\d+)?)\s*(?:一晚|每晚|/晚|一夜|/夜|一间)"
    r"|(?:买|订|点|办|选)了?(?:个|一个|一份|一间|一张|一台|一件)?\s*(?P<num2>\d{2,6}(?:\.\d+)?)\s*的"
    r"|(?<![\d.年住是在号])(?P<num3>\d{2,5})\s*的(?:房间|大床房|标间|标准间|双床房|套房|单间|房)"
    r"|(?:一晚|每晚|一夜|每夜)(?:要|是)?\s*(?P<num4>\d{2,5}(?:\.\d+)?)(?![\d.年月日号点])"
)
_APPROX_AFTER = re.compile(r"\s*(左右|上下|出头)")
# After "块" the money reading is followed by these; "3块蛋糕" is a count of pieces.
_AFTER_KUAI = frozenset("钱的一多左买都还也就呢啊吧了又才而但是给退每人个比，,。.!！?？;；、 )）/")


@dataclass(frozen=True)
class MoneyMention:
    value: float
    start: int
    cue: str  # "paid" | "other" | "neutral"
    approx: bool


def _mentions(norm: str) -> list[MoneyMention]:
    out: list[MoneyMention] = []
    for m in _MONEY.finditer(norm):
        num = m.group("num1") or m.group("num2")
        if m.group(0).endswith("块") and norm[m.end() : m.end() + 1] not in _AFTER_KUAI | {""}:
            continue
        value = parse_number(num)
        if value is None or not 0 < value < 1e9:
            continue
        before = norm[max(0, m.start() - 12) : m.start()]
        after = norm[m.end() : m.end() + 8]
        approx = (bool(m.group("approx")) or bool(_APPROX_BEFORE.search(before))
                  or bool(_APPROX_AFTER.match(after)))
        if _OTHER_BEFORE.search(before):
            cue = "other"
        elif _PAID_BEFORE.search(before) or _PAID_AFTER.search(after):
            cue = "paid"
        elif _ELSEWHERE_BEFORE.search(before):
            cue = "other"
        else:
            cue = "neutral"
        out.append(MoneyMention(value, m.start(), cue, approx))
    for m in [*_BARE_PAID.finditer(norm), *_PER_NIGHT.finditer(norm)]:
        num = next(g for g in m.groups() if g)
        value = parse_number(num)
        before = norm[max(0, m.start() - 12) : m.start()]
        if _OTHER_BEFORE.search(before) or _ELSEWHERE_BEFORE.search(before):
            continue
        if value is not None and 0 < value < 1e9:
            out.append(MoneyMention(value, m.start(), "paid", False))
    return out


def find_paid_amount(norm: str) -> float | None:
    """The paid sum in a complaint text, or None when absent, approximate or ambiguous."""
    mentions = [m for m in _mentions(norm) if m.cue != "other"]
    for cue in ("paid", "neutral"):
        chosen = [m for m in mentions if m.cue == cue]
        if not chosen:
            continue
        values = {m.value for m in chosen}
        if len(values) != 1 or any(m.approx for m in chosen):
            return None
        return chosen[0].value
    return None


def parse_amount(text: str) -> float | None:
    """An amount given as an answer: "3200元", "三千二", "¥3,200", "3.2k", "1万2", "两千块"."""
    norm = normalize(text)[:200]
    mentions = _mentions(norm)
    for mention in mentions:
        if mention.cue != "other" and not (mention.approx and "多" in norm):
            return mention.value
    bare = _FILLER.sub("", norm)
    m = _BARE.match(bare)
    if m is None or re.search(r"\d[多余]|[多余几]", bare):
        return None
    value = parse_number(m.group("num"))
    if value is None or not 0 < value < 1e9:
        return None
    return value
