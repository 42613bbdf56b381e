"""The chat parsers never raise, whatever a person types, and what they return makes sense.

Two inputs that once broke them are pinned as plain tests at the end: a superscript digit
as a choice and an amount past float range.
"""

from __future__ import annotations

import math
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.commands import parse_command
from handlers.corrections import _FIELD_WORDS, find_correction
from handlers.fields import _PARSERS, parse_field, pick_number, split_contact
from handlers.negotiation import parse_consumer_word
from handlers.router import clean
from handlers.staff import parse_bind, parse_staff_command
from tests.reliability.fuzzing import MESSAGES, PROFILE

TODAY = st.dates(date(2000, 1, 1), date(2100, 12, 31))
DIGITS = st.text("0123456789", min_size=1, max_size=400)
FIELDS = st.sampled_from([*_PARSERS, "order_no", "no_such_field"])
TEXTS = st.one_of(MESSAGES, DIGITS, DIGITS.map(lambda d: d + "元"))
REFERENCE = re.compile(r"^TS\d{14}$")


@settings(PROFILE, max_examples=300)
@given(name=FIELDS, text=TEXTS, today=TODAY)
def test_parse_field_answers_ok_or_a_hint(name: str, text: str, today: date) -> None:
    parsed = parse_field(name, text, today)
    assert parsed.ok == (parsed.error is None)
    if not parsed.ok:
        return
    if name == "amount":
        assert math.isfinite(parsed.value) and parsed.value > 0
    if name == "purchase_date":
        assert date.fromisoformat(parsed.value) <= today
    if name in ("consumer_phone",):
        assert re.fullmatch(r"1\d{10}", parsed.value)


@settings(PROFILE, max_examples=300)
@given(text=TEXTS)
def test_correction_names_a_known_field(text: str) -> None:
    found = find_correction(text)
    if found is not None:
        assert found.field in {name for name, _ in _FIELD_WORDS}
        assert found.value is None or found.value.strip()


@settings(PROFILE, max_examples=300)
@given(text=TEXTS)
def test_command_words(text: str) -> None:
    command = parse_command(text)
    if command is not None:
        assert command.name in {"complain", "status", "cancel", "help", "start", "withdraw"}
    word = parse_consumer_word(text)
    if word is not None:
        assert word.action in {"reject_proposal", "accept_proposal", "rate", "escalate",
                               "extend", "close"}
        assert 0 <= word.number <= 99
        assert word.reference is None or REFERENCE.match(word.reference)


@settings(PROFILE, max_examples=300)
@given(text=TEXTS)
def test_staff_words(text: str) -> None:
    command = parse_staff_command(text)
    if command is not None:
        assert command.action in {"list", "unbind", "accept", "reply", "handle", "propose",
                                  "refuse", "settle"}
        assert command.reference is None or REFERENCE.match(command.reference)
    code = parse_bind(text)
    assert code is None or re.fullmatch(r"[A-Za-z0-9]{0,32}", code)


@settings(PROFILE, max_examples=300)
@given(text=TEXTS, count=st.integers(0, 12))
def test_choices_and_contact(text: str, count: int) -> None:
    number = pick_number(text, count)
    assert number is None or 0 <= number <= count
    name, mobile, _ = split_contact(text)
    assert name is None or name.strip()
    assert mobile is None or re.fullmatch(r"1\d{10}", mobile)
    cleaned = clean(text)
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize("text", ["²", "①", "³。"])
def test_a_superscript_digit_is_not_a_choice(text: str) -> None:
    """isdigit() says yes, int() raises: it was a crash at every numbered question."""
    assert text.strip("。").isdigit()
    assert pick_number(text, 4) is None


def test_an_amount_past_float_range_is_refused() -> None:
    """float('1' * 400) is inf; PostgreSQL refused the state holding it (a poison turn)."""
    parsed = parse_field("amount", "1" * 400, date(2026, 11, 23))
    assert not parsed.ok or math.isfinite(parsed.value)
