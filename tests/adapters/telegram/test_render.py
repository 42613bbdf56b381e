"""Splitting long texts and drawing keyboards (pure functions)."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.parse import strip_mention
from bot.adapters.telegram.render import keyboard, split_text, units
from bot.core.messages import Choice


@pytest.mark.parametrize(("text", "limit", "expected"), [
    pytest.param("short", 10, ["short"], id="fits"),
    pytest.param("aaaa\nbbbb\ncccc", 10, ["aaaa\nbbbb", "cccc"], id="on-lines"),
    pytest.param("a" * 25, 10, ["a" * 10, "a" * 10, "a" * 5], id="long-line-cut"),
    pytest.param("aaaa\n\n\n\n\n\n\n\n\n\n\nbbbb", 10, ["aaaa", "bbbb"], id="no-blank-parts"),
    pytest.param("😀😀😀😀😀😀", 4, ["😀😀", "😀😀", "😀😀"], id="utf16-units"),
])
def test_split_text(text: str, limit: int, expected: list[str]) -> None:
    parts = split_text(text, limit)
    assert parts == expected
    assert all(units(p) <= limit for p in parts)


def test_keyboard_has_one_button_per_choice_carrying_its_key() -> None:
    assert keyboard(()) is None
    markup = keyboard((Choice("1", "确认无误"), Choice("2", "修改")))
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("1. 确认无误", "1")], [("2. 修改", "2")]]


@pytest.mark.parametrize(("text", "expected"), [
    ("@odr_test_bot 查询", "查询"),
    ("/status@odr_test_bot TS1", "/status TS1"),
    ("@ODR_TEST_BOT help", "help"),
    ("@odr_test_bot_fan 你好", "@odr_test_bot_fan 你好"),
])
def test_strip_mention(text: str, expected: str) -> None:
    assert strip_mention(text, "odr_test_bot") == expected
