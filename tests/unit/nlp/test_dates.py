"""parse_date and the purchase date: relative dates resolve against the message date."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import extract, parse_date

TODAY = date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026年11月3日", date(2026, 11, 3), id="date-full-chinese"),
        pytest.param("2026-11-03", date(2026, 11, 3), id="date-iso"),
        pytest.param("2026/11/3", date(2026, 11, 3), id="date-slashes"),
        pytest.param("二〇二六年十一月三日", date(2026, 11, 3), id="date-chinese-numerals"),
        pytest.param("24年10月21日", date(2024, 10, 21), id="date-two-digit-year"),
        pytest.param("11月3号", date(2026, 11, 3), id="date-month-day-this-year"),
        pytest.param("12月25日", date(2025, 12, 25), id="date-month-day-not-after-today"),
        pytest.param("3号", date(2026, 11, 3), id="date-day-only"),
        pytest.param("25号", date(2026, 10, 25), id="date-day-only-last-month"),
        pytest.param("今天", date(2026, 11, 22), id="date-today"),
        pytest.param("昨天", date(2026, 11, 21), id="date-yesterday"),
        pytest.param("前天", date(2026, 11, 20), id="date-day-before-yesterday"),
        pytest.param("上周五", date(2026, 11, 13), id="date-last-friday"),
        pytest.param("周五", date(2026, 11, 20), id="date-weekday-most-recent"),
        pytest.param("3天前", date(2026, 11, 19), id="date-days-ago"),
        pytest.param("上个月15号", date(2026, 10, 15), id="date-last-month-day"),
        pytest.param("去年12月1日", date(2025, 12, 1), id="date-last-year"),
        pytest.param("２０２６年１１月３日", date(2026, 11, 3), id="date-fullwidth-digits"),
    ],
)
def test_parse_date_resolves_against_today(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="date-empty"),
        pytest.param("不记得了", id="date-unknown"),
        pytest.param("2月30日", id="date-invalid-day"),
        pytest.param("3号楼", id="date-building-number"),
        pytest.param("明天", id="date-future-word"),
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("我11月3号在商场买的洗衣机，11月10号就坏了", date(2026, 11, 3),
                     id="date-purchase-not-problem"),
        pytest.param("11月10号洗衣机坏了", None, id="date-problem-only-is-null"),
        pytest.param("2025年3月5日在京东购买了一台电视", date(2025, 3, 5), id="date-narrative-opening"),
        pytest.param("昨天下单的外卖送错了", date(2026, 11, 21), id="date-relative-in-narrative"),
        pytest.param("手机屏幕坏了，要求换货", None, id="date-absent-null"),
        pytest.param("我225年3月3日在天猫买的纸尿裤", date(2025, 3, 3), id="date-year-with-a-dropped-zero"),
    ],
)
def test_extract_purchase_date(text: str, expected: date | None) -> None:
    assert extract(text, TODAY).purchase_date == expected


def test_extract_without_message_date_keeps_only_dates_with_a_year() -> None:
    assert extract("11月3号买的洗衣机", None).purchase_date is None
    assert extract("2025年11月3号买的洗衣机", None).purchase_date == date(2025, 11, 3)
