"""Any sequence of messages leaves a valid conversation: property tests over the real
dispatcher (SQLite), with scripts that start with a prefix of the happy intake (so the
deep steps and the negotiation words after submission are reached) and go on at random.

After every turn: no reply is the internal-error text (a handler raised), every text gets
an answer, the stored state round-trips through ``State.from_json`` and its flow, step,
draft and options agree with each other.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import Components
from handlers.intake import EDITABLE, ORDER
from handlers.state import State
from handlers.texts import text
from tests.reliability.fuzzing import HAPPY, MESSAGES, PROFILE
from tests.support.app import Chat, app_config, running_app
from tests.support.clock import FakeClock

INTERNAL_ERROR = {text("zh", "internal_error"), text("en", "internal_error")}
STEPS = {*ORDER, *EDITABLE, "confirm", "consent", "pick", "which"}
SCRIPTS = st.tuples(st.integers(0, len(HAPPY)), st.lists(MESSAGES, min_size=1, max_size=8)
                    ).map(lambda t: [*HAPPY[:t[0]], *t[1]])


@pytest.fixture
async def app(sqlite_url: str, tmp_path: Path) -> AsyncIterator[tuple[Components, FakeClock]]:
    clock = FakeClock()
    async with running_app(app_config(sqlite_url, tmp_path), clock) as (_app, parts):
        yield parts, clock


def check_state(raw: dict[str, Any]) -> None:
    state = State.from_json(raw)
    assert state.to_json() == raw, "the stored state has keys State does not know"
    assert state.lang in ("zh", "en")
    assert state.flow in (None, "intake", "pick_case", "rate_confirm")
    assert state.tries >= 0 and state.questions >= 0
    if state.flow == "intake":
        assert state.step in STEPS, state.step
    else:
        assert (state.step, state.draft) == (None, {}), "intake leftovers outside the intake"
    if state.step == "pick":
        assert state.draft.get("_candidate_ids"), "choosing among no candidates"
    if state.flow == "pick_case":
        assert state.pending_text and state.options
    if state.flow == "rate_confirm":
        assert len(state.options) == 2 and state.options[1].isdecimal()
    amount = state.draft.get("amount")
    assert amount is None or (math.isfinite(amount) and amount > 0)


@settings(PROFILE, max_examples=25)
@given(script=SCRIPTS)
async def test_any_conversation_leaves_a_valid_state(app: tuple[Components, FakeClock],
                                                     script: list[str]) -> None:
    parts, clock = app
    chat = Chat(parts, clock, user=f"fuzz-{uuid.uuid4().hex[:12]}")
    for said in script:
        outcome = await parts.dispatcher(chat.message(said))
        replies = [reply.text for reply in outcome.replies]
        assert replies, f"no answer to {said[:40]!r}"
        assert not INTERNAL_ERROR & set(replies), f"a handler raised on {said[:40]!r}"
        check_state(await chat.state())


async def test_a_superscript_digit_at_a_choice_gets_a_polite_answer(
        app: tuple[Components, FakeClock]) -> None:
    """'²' passes str.isdigit() but not int(): it once got the internal-error answer."""
    parts, clock = app
    chat = Chat(parts, clock, user="superscript")
    await chat.say(HAPPY[0])  # the next question is the numbered purchase channel
    [reply] = await chat.say("²")
    assert reply not in INTERNAL_ERROR
