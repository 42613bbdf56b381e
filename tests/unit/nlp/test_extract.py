"""extract(): every field as written, and null when the text does not state it."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import Entities, extract

TODAY = date(2026, 11, 22)


def test_extract_reads_a_full_complaint() -> None:
    text = "我11月3号在鑫汇国际时代广场花了3299元买的洗衣机坏了，要求退货，电话13912345678"
    assert extract(text, TODAY) == Entities(
        merchant="鑫汇国际时代广场", amount=3299.0, purchase_date=date(2026, 11, 3),
        phone="13912345678", order_no=None, product="洗衣机",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("在淘宝网帮宝适官方旗舰店买的纸尿裤漏尿", "帮宝适官方旗舰店",
                     id="merchant-platform-prefix-dropped"),
        pytest.param("帮宝适京东自营官方旗舰店发货太慢", "帮宝适京东自营官方旗舰店",
                     id="merchant-platform-inside-name-kept"),
        pytest.param("在拼多多买的鞋子开胶了", "拼多多", id="merchant-platform-only"),
        pytest.param("北京现代名图发动机异响，4S店不予解决", "北京现代", id="merchant-car-maker"),
        pytest.param("北京现代4S店卖给我的车漏油", "北京现代", id="merchant-dealer-means-maker"),
        pytest.param("张掖新乐超市卖过期牛奶", "张掖新乐超市", id="merchant-supermarket-with-city"),
        pytest.param("在鞍山千盛百货买的羽绒服掉毛", "鞍山千盛百货", id="merchant-department-store"),
        pytest.param("这家酒店的房间太脏了", None, id="merchant-generic-hotel-is-null"),
        pytest.param("楼下超市卖的鸡蛋是坏的", None, id="merchant-generic-supermarket-is-null"),
        pytest.param("四星级酒店服务太差", None, id="merchant-kind-of-hotel-is-null"),
        pytest.param("衣服起球了，质量太差", None, id="merchant-absent-null"),
    ],
)
def test_extract_merchant_as_written(text: str, expected: str | None) -> None:
    assert extract(text, TODAY).merchant == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("北京现代名图发动机异响", "北京现代名图", id="product-car-maker-and-model"),
        pytest.param("买的手机屏幕碎了", "手机", id="product-lexicon-word"),
        pytest.param("在鸿运家电城买的空调不制冷", "空调", id="product-not-inside-merchant"),
        pytest.param("这个东西质量太差了", None, id="product-generic-word-is-null"),
    ],
)
def test_extract_product(text: str, expected: str | None) -> None:
    assert extract(text, TODAY).product == expected


def test_extract_returns_entities_as_written_in_fullwidth_text() -> None:
    text = "在ＡＢＣ数码专营店买的手机"
    assert extract(text, TODAY).merchant == "ＡＢＣ数码专营店"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="extract-empty"),
        pytest.param("😀😡👍", id="extract-only-emoji"),
        pytest.param("1234567", id="extract-only-digits"),
        pytest.param("<p>&nbsp;</p>", id="extract-html-only"),
    ],
)
def test_extract_states_nothing_for_empty_input(text: str) -> None:
    assert extract(text, TODAY) == Entities()


def test_extract_survives_a_huge_paste() -> None:
    text = "洗衣机坏了，" * 20_000 + "电话13912345678"
    entities = extract(text, TODAY)
    assert entities.product == "洗衣机"
    assert entities.phone is None  # past the analysed prefix: not read rather than stall
