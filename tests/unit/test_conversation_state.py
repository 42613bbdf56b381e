"""The conversation state's JSON form: a faithful copy both ways, never shared with the
object (the dispatcher compares a turn's result with what it loaded to skip a write)."""

from __future__ import annotations

from handlers.state import State

STORED = {
    "lang": "zh", "flow": "intake", "step": "amount",
    "draft": {"merchant": "鑫汇", "demands": ["refund"], "nlp": {"scores": [0.9, 0.1]}},
    "tries": 1, "options": ["as-xinhui", "zy-huilong"], "questions": 2, "active_case": None,
    "bind_failures": [], "staff": False, "pending_text": None,
}


def test_a_stored_state_comes_back_unchanged() -> None:
    assert State.from_json(STORED).to_json() == STORED
    assert list(State().to_json()) == list(STORED)  # every field, in declaration order


def test_changing_the_state_does_not_change_what_was_loaded() -> None:
    raw = {**STORED, "draft": {"demands": ["refund"]}}
    state = State.from_json(raw)
    state.draft["demands"].append("return")
    state.options.append("x")
    assert raw["draft"] == {"demands": ["refund"]} and raw["options"] == STORED["options"]


def test_the_json_form_is_a_copy() -> None:
    state = State(draft={"demands": ["refund"]}, options=["a"])
    saved = state.to_json()
    state.draft["demands"].append("return")
    state.options.clear()
    assert saved["draft"] == {"demands": ["refund"]} and saved["options"] == ["a"]


def test_unknown_keys_of_an_older_version_are_dropped() -> None:
    assert State.from_json({**STORED, "retired_field": 1}).to_json() == STORED
    assert State.from_json(None) == State() and State.from_json({}) == State()
