"""The complaint state machine (DESIGN §1 "Complaint states").

Every change of state goes through :func:`transition`, which refuses anything the table
does not allow: an illegal action raises, it never silently changes the state.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NEGOTIATING = "negotiating"
    PROPOSED = "proposed"
    SETTLED = "settled"
    NOT_SETTLED = "not_settled"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class Action(StrEnum):
    SUBMIT = "submit"
    RATE = "rate"
    ACCEPT = "accept"
    MESSAGE = "message"
    PROPOSE = "propose"
    ACCEPT_PROPOSAL = "accept_proposal"
    REJECT_PROPOSAL = "reject_proposal"
    REFUSE = "refuse"
    EXPIRE = "expire"
    ESCALATE = "escalate"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    EXTEND = "extend"


class Actor(StrEnum):
    CONSUMER = "consumer"
    ENTERPRISE = "enterprise"
    SYSTEM = "system"


class IllegalTransition(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"cannot {action.value} a complaint that is {status.value}")
        self.status = status
        self.action = action


_OPEN = (Status.SUBMITTED, Status.ACCEPTED, Status.NEGOTIATING, Status.PROPOSED)

_TABLE: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.ACCEPT): Status.ACCEPTED,
    (Status.SUBMITTED, Action.MESSAGE): Status.SUBMITTED,
    (Status.ACCEPTED, Action.MESSAGE): Status.NEGOTIATING,
    (Status.NOT_SETTLED, Action.MESSAGE): Status.NOT_SETTLED,
    (Status.OVERDUE, Action.MESSAGE): Status.OVERDUE,
    (Status.SETTLED, Action.MESSAGE): Status.SETTLED,
    (Status.NEGOTIATING, Action.MESSAGE): Status.NEGOTIATING,
    (Status.PROPOSED, Action.MESSAGE): Status.PROPOSED,
    (Status.OVERDUE, Action.EXTEND): Status.NEGOTIATING,
    (Status.SETTLED, Action.CLOSE): Status.CLOSED,
    (Status.SETTLED, Action.RATE): Status.SETTLED,
    (Status.CLOSED, Action.RATE): Status.CLOSED,
    (Status.NOT_SETTLED, Action.CLOSE): Status.CLOSED,
    (Status.OVERDUE, Action.CLOSE): Status.CLOSED,
    (Status.PROPOSED, Action.ACCEPT_PROPOSAL): Status.SETTLED,
    (Status.PROPOSED, Action.REJECT_PROPOSAL): Status.NEGOTIATING,
    (Status.NOT_SETTLED, Action.ESCALATE): Status.ESCALATED,
    (Status.OVERDUE, Action.ESCALATE): Status.ESCALATED,
}
for _s in (Status.SUBMITTED, Status.ACCEPTED, Status.NEGOTIATING):
    _TABLE[(_s, Action.PROPOSE)] = Status.PROPOSED
for _s in _OPEN:
    _TABLE[(_s, Action.REFUSE)] = Status.NOT_SETTLED
    _TABLE[(_s, Action.EXPIRE)] = Status.OVERDUE
    _TABLE[(_s, Action.WITHDRAW)] = Status.WITHDRAWN
_TABLE[(Status.PROPOSED, Action.PROPOSE)] = Status.PROPOSED
_TABLE[(Status.OVERDUE, Action.WITHDRAW)] = Status.WITHDRAWN
_TABLE[(Status.NOT_SETTLED, Action.WITHDRAW)] = Status.WITHDRAWN

# Who must act next, per state (shown in every status answer).
NEXT_ACTOR: dict[Status, Actor | None] = {
    Status.DRAFT: Actor.CONSUMER,
    Status.SUBMITTED: Actor.ENTERPRISE,
    Status.ACCEPTED: Actor.ENTERPRISE,
    Status.NEGOTIATING: None,  # either side
    Status.PROPOSED: Actor.CONSUMER,
    Status.SETTLED: Actor.ENTERPRISE,
    Status.NOT_SETTLED: Actor.CONSUMER,
    Status.OVERDUE: Actor.CONSUMER,
    Status.ESCALATED: None,
    Status.WITHDRAWN: None,
    Status.CLOSED: None,
}

OPEN_STATES: frozenset[Status] = frozenset(_OPEN)
FINAL_STATES: frozenset[Status] = frozenset({Status.ESCALATED, Status.WITHDRAWN, Status.CLOSED})


def transition(status: Status, action: Action) -> Status:
    """The state after ``action``; raises :class:`IllegalTransition` when not allowed."""
    try:
        return _TABLE[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed(status: Status, action: Action) -> bool:
    return (status, action) in _TABLE
