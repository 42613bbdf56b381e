"""Conversation state: plain data, saved as JSON in the same transaction as the turn."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from bot.core.messages import Choice


@dataclass
class State:
    lang: str = "zh"
    flow: str | None = None
    """"intake" while a complaint is being filled in; None otherwise."""
    step: str | None = None
    """What the last question asked: a field name, or confirm / consent / pick / which."""
    draft: dict[str, Any] = field(default_factory=dict)
    tries: int = 0
    options: list[str] = field(default_factory=list)
    """Values behind the numbered choices of the last question (enterprise ids, fields)."""
    questions: int = 0
    """How many questions this intake asked (besides confirmation and consent)."""
    active_case: str | None = None
    """Staff: the case plain text goes to (set by 处理 / 受理)."""
    bind_failures: list[str] = field(default_factory=list)
    """Staff binding: times of recent failed codes (rate limit against guessing)."""
    staff: bool = False
    """This chat is bound to enterprise staff (saves a look-up on every consumer turn; every
    staff action checks the binding again)."""
    pending_text: str | None = None
    """Consumer: a message waiting for the choice of the case it is for."""

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON data (a copy: later changes to the state do not reach it)."""
        return {name: _copied(getattr(self, name)) for name in _FIELDS}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> State:
        if not raw:
            return cls()
        # A copy: the turn changes the state in place, and the caller compares the result
        # with what it loaded to skip writing an unchanged state.
        return cls(**{k: _copied(v) for k, v in raw.items() if k in _KNOWN})

    def reset(self) -> None:
        self.flow = None
        self.step = None
        self.draft = {}
        self.tries = 0
        self.options = []
        self.questions = 0
        self.pending_text = None


_FIELDS = tuple(f.name for f in fields(State))
_KNOWN = frozenset(_FIELDS)


def _copied(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars): what ``copy.deepcopy`` and
    ``dataclasses.asdict`` would give, at a fraction of their cost on every turn."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copied(v) for v in value]
    return value


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()


@dataclass
class TurnResult:
    replies: list[Reply]
    state: State
