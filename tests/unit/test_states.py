"""The complaint state machine refuses what DESIGN §1 does not allow."""

from __future__ import annotations

import pytest

from bot.domain.states import Action, IllegalTransition, Status, transition


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Status.DRAFT, Action.SUBMIT, Status.SUBMITTED),
        (Status.SUBMITTED, Action.ACCEPT, Status.ACCEPTED),
        (Status.ACCEPTED, Action.PROPOSE, Status.PROPOSED),
        (Status.PROPOSED, Action.REJECT_PROPOSAL, Status.NEGOTIATING),
        (Status.PROPOSED, Action.ACCEPT_PROPOSAL, Status.SETTLED),
        (Status.SETTLED, Action.CLOSE, Status.CLOSED),
        (Status.SUBMITTED, Action.EXPIRE, Status.OVERDUE),
        (Status.OVERDUE, Action.ESCALATE, Status.ESCALATED),
        (Status.NEGOTIATING, Action.REFUSE, Status.NOT_SETTLED),
        (Status.SUBMITTED, Action.WITHDRAW, Status.WITHDRAWN),
    ],
)
def test_allowed(start: Status, action: Action, end: Status) -> None:
    assert transition(start, action) == end


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.CLOSED, Action.PROPOSE),
        (Status.WITHDRAWN, Action.ACCEPT),
        (Status.SUBMITTED, Action.ESCALATE),  # escalation only after failure or overdue
        (Status.SETTLED, Action.WITHDRAW),
        (Status.DRAFT, Action.ACCEPT),
        (Status.ESCALATED, Action.SUBMIT),
    ],
)
def test_illegal_transition_raises(start: Status, action: Action) -> None:
    with pytest.raises(IllegalTransition):
        transition(start, action)
