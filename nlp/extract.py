"""Field extraction (TAXONOMY §5): merchant, amount, purchase date, phone, order number,
product. A field the text does not state is None, never guessed."""

from __future__ import annotations

import re
from datetime import date

from nlp.amount import find_paid_amount, parse_amount
from nlp.channel import parse_channel
from nlp.dates import DateMention, find_dates, parse_date
from nlp.demands import parse_demands
from nlp.merchant import find_merchant
from nlp.numbers import find_order_no, find_phone, parse_mobile, parse_order_no, parse_phone
from nlp.product import find_product
from nlp.text import clip, normalize
from nlp.types import Entities

__all__ = [
    "extract", "parse_amount", "parse_channel", "parse_date", "parse_demands", "parse_mobile",
    "parse_order_no", "parse_phone",
]

EXTRACT_MAX_CHARS = 10_000

_PURCHASE_CUE = re.compile(
    r"买|购|下单|下的单|订购|预订|订了|办卡|办了|充值|签约|签订|签了|报名|入住|付款|支付|提车|消费|"
    r"拍下|拍的|成交|交了|定了|订的|buy|bought|purchase|order"
)
_PROBLEM_CUE = re.compile(r"坏|故障|出现|发现|开始|收到|到货|送到|联系|投诉|退|维修|修|出问题")
_OPENING_SPAN = 20  # a date this close to the start opens the story: usually the purchase
_CLAUSE_END = re.compile(r"[，,。!！?？;；\n]")


def _clause_after(norm: str, pos: int, limit: int = 24) -> str:
    tail = norm[pos : pos + limit]
    m = _CLAUSE_END.search(tail)
    return tail[: m.start()] if m else tail


def _clause_before(norm: str, pos: int, limit: int = 12) -> str:
    head = norm[max(0, pos - limit) : pos]
    parts = _CLAUSE_END.split(head)
    return parts[-1]


def _purchase_date(norm: str, today: date | None) -> date | None:
    """The date of a purchase: one whose clause has a purchase cue, else the date that
    opens the narrative ("2025年3月5日在…") unless its clause is about the problem."""
    mentions: list[DateMention] = [
        m for m in find_dates(norm, today) if today is None or m.value <= today
    ]
    for mention in mentions:
        after = _clause_after(norm, mention.end)
        before = _clause_before(norm, mention.start)
        if _PURCHASE_CUE.search(after) or _PURCHASE_CUE.search(before):
            return mention.value
    if mentions and mentions[0].start <= _OPENING_SPAN:
        first = mentions[0]
        clause = _clause_before(norm, first.start) + _clause_after(norm, first.end)
        if not _PROBLEM_CUE.search(clause):
            return first.value
    return None


def _span_text(original: str, span: tuple[int, int] | None) -> str | None:
    if span is None:
        return None
    value = original[span[0] : span[1]].strip()
    return value or None


def extract(text: str, message_date: date | None) -> Entities:
    """Entities stated in a complaint; relative dates resolve against ``message_date``.

    With ``message_date=None`` only dates that carry their own year are returned.
    """
    original = clip(text or "", EXTRACT_MAX_CHARS)
    norm = normalize(original)
    merchant = find_merchant(norm)
    product = find_product(norm, merchant)
    order = find_order_no(norm)
    return Entities(
        merchant=_span_text(original, merchant),
        amount=find_paid_amount(norm),
        purchase_date=_purchase_date(norm, message_date),
        phone=find_phone(norm),
        order_no=norm[order[0] : order[1]] if order else None,
        product=_span_text(original, product),
    )
