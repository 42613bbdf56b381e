"""Properties: extraction never raises and never returns a value absent from the text."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import classify, detect_intent, extract, parse_amount, parse_date, parse_phone
from nlp.numerals import DIGITS
from nlp.text import fold_width, normalize

TODAY = date(2026, 11, 22)
PIECES = st.sampled_from([
    "我", "在", "鑫汇国际时代广场", "淘宝", "旗舰店", "买的", "洗衣机", "手机", "坏了", "要求退货", "花了",
    "3299", "元", "块", "三千二", "¥", "11月3号", "昨天", "上周五", "2025年3月5日", "电话", "139", " ",
    "1234", "5678", "-", "０４１２", "订单号", "2025112212345678", "*", "，", "。", "😀", "<b>", "&nbsp;",
    "商场", "超市", "北京现代", "名图", "4S店", "退一赔三", "refund", "號", "買", "１３９",
])
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_extract_never_invents_a_value(text: str) -> None:
    entities = extract(text, TODAY)
    digits = re.sub(r"\D", "", normalize(text))
    if entities.phone is not None:
        assert re.sub(r"\D", "", entities.phone) in digits
    for value in (entities.merchant, entities.product):
        if value is not None:
            assert value in text
    if entities.order_no is not None:
        assert entities.order_no in fold_width(text)
    if entities.amount is not None:
        assert re.search(r"\d|[" + "".join(DIGITS) + "十百千万]", normalize(text))
    if entities.purchase_date is not None:
        assert entities.purchase_date <= TODAY


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_classify_and_intent_never_raise(text: str) -> None:
    result = classify(text)
    assert 0.0 <= result.category_confidence <= 1.0
    assert 0.0 <= result.nature_confidence <= 1.0
    detect_intent(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_field_parsers_never_raise(text: str) -> None:
    amount = parse_amount(text)
    assert amount is None or amount > 0
    parse_date(text, TODAY)
    phone = parse_phone(text)
    assert phone is None or re.sub(r"\D", "", phone) in re.sub(r"\D", "", normalize(text))
