"""Firing the timers of the ODR clock: reminders, the overdue transition, offer and
settlement follow-ups. Each timer fires at most once, in the transaction that claims it;
a timer whose reason is gone (case accepted, closed, offer answered) is cancelled."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime

from bot.domain.complaint import Case
from bot.domain.deadlines import end_of
from bot.domain.states import OPEN_STATES, Action, Actor, Status
from bot.services.cases import OFFER_OPTIONS, CaseService
from bot.services.timing import Timing
from storage.staff import BoundIdentity
from storage.timers import TimerRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
OVERDUE_OPTIONS = (("转投诉 {ref}", "escalate_word"), ("继续等待 5", "wait_word"),
                   ("结束 {ref}", "close_word"))
_STAFF_REMINDERS = {"staff_half": "reminder_half", "staff_day_before": "reminder_day_before"}


class ClockService(CaseService):
    """Fires the timers of one sweep's batch, in one transaction. It loads the batch's
    cases in one statement and an enterprise's bound staff once (neither changes while
    the batch fires, except a case the clock itself changes, kept up to date here)."""

    def __init__(self, uow: UnitOfWork, now: datetime, timing: Timing | None = None) -> None:
        super().__init__(uow, now, timing)
        self._cases: dict[int, Case] = {}
        self._staff: dict[str, list[BoundIdentity]] = {}

    async def fire_all(self, due: Sequence[TimerRow]) -> list[bool]:
        """Act on due timers in order; for each, whether it fired."""
        if due:
            self._cases = await self._uow.cases.by_ids(t.complaint_id for t in due)
        return [await self.fire(timer) for timer in due]

    async def fire(self, timer: TimerRow) -> bool:
        """Act on one due timer; True when it fired, False when it no longer applies."""
        case = self._cases.get(timer.complaint_id) or \
            await self._uow.cases.by_id(timer.complaint_id)
        if case is None:
            return False
        if timer.kind in _STAFF_REMINDERS:
            return await self._remind_staff(case, _STAFF_REMINDERS[timer.kind], OPEN_STATES)
        if timer.kind == "accept_due":
            return await self._remind_staff(case, "reminder_accept", {Status.SUBMITTED})
        if timer.kind == "deadline":
            return await self._expire(case)
        if timer.kind.startswith("proposal_"):
            return await self._remind_offer(case, timer)
        if timer.kind == "settlement_check":
            days = self._timing.settlement_check_days if self._timing else 0
            return await self._remind_staff(case, "settlement_check", {Status.SETTLED},
                                            days=days)
        log.error("unknown timer kind %s (id %s)", timer.kind, timer.id)
        return False

    async def _remind_staff(self, case: Case, key: str, states: Collection[Status],
                            days: int = 0) -> bool:
        # After a long downtime a half-time reminder may come due after the deadline
        # itself: the overdue notice says it all, so the stale reminder is dropped.
        stale = key != "settlement_check" and self._now >= end_of(case.deadline)
        if case.status not in states or stale:
            return False
        await self._to_staff(case, key, None, deadline=case.deadline.isoformat(), days=days)
        return True

    async def _expire(self, case: Case) -> bool:
        if case.status not in OPEN_STATES:
            return False
        case = self._cases[case.id] = await self._change(case, Action.EXPIRE, Actor.SYSTEM,
                                                         "clock")
        await self._to_consumer(case, "overdue", options=OVERDUE_OPTIONS)
        await self._to_staff(case, "overdue_staff", None, deadline=case.deadline.isoformat())
        await self._event_to_enterprise(case, "overdue")
        return True

    async def _bound_staff(self, enterprise_id: str) -> list[BoundIdentity]:
        if enterprise_id not in self._staff:
            self._staff[enterprise_id] = await super()._bound_staff(enterprise_id)
        return self._staff[enterprise_id]

    async def _remind_offer(self, case: Case, timer: TimerRow) -> bool:
        current = case.proposed_at.isoformat() if case.proposed_at else None
        if case.status != Status.PROPOSED or timer.note != current:
            return False  # answered, or a newer offer has its own reminders
        await self._to_consumer(case, "proposal_reminder", text=case.proposal or "",
                                options=OFFER_OPTIONS)
        return True
