"""Phones and order numbers as consumers type them."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import extract, parse_mobile, parse_order_no, parse_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("13912345678", "13912345678", id="phone-mobile"),
        pytest.param("139 1234 5678", "13912345678", id="phone-spaces"),
        pytest.param("139-1234-5678", "13912345678", id="phone-dashes"),
        pytest.param("１３９１２３４５６７８", "13912345678", id="phone-fullwidth"),
        pytest.param("+86 139 1234 5678", "13912345678", id="phone-country-code"),
        pytest.param("我的电话是13912345678，谢谢", "13912345678", id="phone-in-sentence"),
        pytest.param("0412-1234567", "0412-1234567", id="phone-landline-anshan"),
        pytest.param("0936 8212345", "0936-8212345", id="phone-landline-zhangye-space"),
        pytest.param("(010)88886666", "010-88886666", id="phone-landline-beijing-brackets"),
        pytest.param("座机04121234567", "0412-1234567", id="phone-landline-no-separator"),
    ],
)
def test_parse_phone_normalizes(text: str, expected: str) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="phone-empty"),
        pytest.param("1391234567", id="phone-ten-digits"),
        pytest.param("12912345678", id="phone-bad-prefix"),
        pytest.param("订单2025112213912345678", id="phone-inside-longer-number"),
    ],
)
def test_parse_phone_rejects(text: str) -> None:
    assert parse_phone(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("13912345678", "13912345678", id="mobile-plain"),
        pytest.param("0412-1234567", None, id="mobile-rejects-landline"),
        pytest.param("1391234567", None, id="mobile-too-short"),
    ],
)
def test_parse_mobile_only_mainland_mobiles(text: str, expected: str | None) -> None:
    assert parse_mobile(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("订单号：2025112212345678", "2025112212345678", id="order-with-cue"),
        pytest.param("2025112212345678", "2025112212345678", id="order-bare-answer"),
        pytest.param("合同编号 HT-2026-0815", "HT-2026-0815", id="order-contract-code"),
        pytest.param("订单38806*********41207", "38806*********41207", id="order-masked"),
        pytest.param("没有", None, id="order-none"),
    ],
)
def test_parse_order_no(text: str, expected: str | None) -> None:
    assert parse_order_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("订单号2025112212345678的耳机坏了", "2025112212345678", id="order-in-narrative"),
        pytest.param("批次号20250512的牛奶变质了", None, id="order-batch-number-is-not-one"),
        pytest.param("电话13912345678", None, id="order-phone-is-not-one"),
    ],
)
def test_extract_order_no(text: str, expected: str | None) -> None:
    assert extract(text, date(2026, 11, 22)).order_no == expected
