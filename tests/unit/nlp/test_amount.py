"""parse_amount: an answer to "how much did you pay?" and the paid sum in a narrative."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import extract, parse_amount

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3200元", 3200.0, id="amount-yuan"),
        pytest.param("三千二", 3200.0, id="amount-chinese-numerals-colloquial"),
        pytest.param("两千块", 2000.0, id="amount-chinese-numerals-kuai"),
        pytest.param("¥3,200", 3200.0, id="amount-currency-sign-thousands"),
        pytest.param("￥3,200.50", 3200.5, id="amount-fullwidth-currency-decimals"),
        pytest.param("3.2k", 3200.0, id="amount-k-suffix"),
        pytest.param("1万2", 12000.0, id="amount-wan-colloquial"),
        pytest.param("1.5万元", 15000.0, id="amount-decimal-wan"),
        pytest.param("壹仟贰佰元", 1200.0, id="amount-financial-numerals"),
        pytest.param("３２９９元", 3299.0, id="amount-fullwidth-digits"),
        pytest.param("3299", 3299.0, id="amount-bare-number-answer"),
        pytest.param("一共花了三千二百九十九元", 3299.0, id="amount-in-a-phrase"),
        pytest.param("大概2000", 2000.0, id="amount-about-accepted-as-answer"),
    ],
)
def test_parse_amount_reads_the_sum(text: str, expected: float) -> None:
    assert parse_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="amount-empty"),
        pytest.param("不记得了", id="amount-no-number"),
        pytest.param("1000多元", id="amount-approximate-duo"),
        pytest.param("几百块", id="amount-vague"),
        pytest.param("要求赔偿1000元", id="amount-only-a-claim"),
        pytest.param("😀😀", id="amount-emoji"),
    ],
)
def test_parse_amount_rejects_answers_without_a_paid_sum(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("花了3299元买的洗衣机，要求赔偿5000元", 3299.0, id="amount-paid-not-claimed"),
        pytest.param("手机价格4999元，用了三天就黑屏", 4999.0, id="amount-price-cue"),
        pytest.param("房价288一晚，房间很脏", 288.0, id="amount-per-night-price"),
        pytest.param("买了3块蛋糕，都发霉了", None, id="amount-kuai-as-piece-count"),
        pytest.param("花了1000多元，质量太差", None, id="amount-approximate-is-null"),
        pytest.param("先花了300元，后来又花了500元", None, id="amount-competing-sums-null"),
        pytest.param("洗衣机坏了，要求退货", None, id="amount-absent-null"),
        pytest.param("订单一共4,014元，一直不发货", 4014.0, id="amount-thousands-separator-after-cue"),
        pytest.param("结账时被多收了4,347.98元", 4347.98, id="amount-thousands-and-cents-overcharge"),
        pytest.param("酒店早餐8块钱一份，端上来是凉的", 8.0, id="amount-breakfast-kuai"),
        pytest.param("点了份8块的早餐，包子是酸的", 8.0, id="amount-ordered-item-price"),
        pytest.param("4014元的订单一个月没发货", 4014.0, id="amount-order-total-before-noun"),
        pytest.param("实付款：4014.00，商品有划痕", 4014.0, id="amount-paid-label-with-cents"),
        pytest.param("288的房间，隔音很差", 288.0, id="amount-room-price-without-unit"),
        pytest.param("一晚288，床单有污渍", 288.0, id="amount-per-night-before-number"),
        pytest.param("我住的是1208的房间", None, id="amount-room-number-is-not-a-price"),
        pytest.param("账单多收我4,347.98", 4347.98, id="amount-overcharged-me"),
        pytest.param("信用卡被多刷了4347.98元", 4347.98, id="amount-card-overcharged"),
        pytest.param("3000块左右", None, id="amount-approximate-after-number"),
        pytest.param("实体店才680元，网上买贵了", None, id="amount-price-seen-elsewhere"),
        pytest.param("还不如一晚300的小旅馆", None, id="amount-compared-price"),
        pytest.param("如果要500元住一晚，不划算", None, id="amount-hypothetical-price"),
        pytest.param("付了5星级的价格", None, id="amount-star-rating-is-not-money"),
        pytest.param("小巴就6块，5个人就30块比的士还贵", None, id="amount-fares-compared-are-competing"),
        pytest.param("安装的材料费师傅收了我160啊", 160.0, id="amount-fee-charged-to-me"),
    ],
)
def test_extract_amount_is_the_paid_sum_or_null(text: str, expected: float | None) -> None:
    assert extract(text, TODAY).amount == expected
