"""The ODR clock's settings in one object: calendar, deadline rules, reminder spacing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.config import OdrConfig
from bot.domain.calendar import CalendarError, WorkingDayCalendar
from bot.domain.deadlines import DeadlineRules, Policy, Span, Unit


@dataclass(frozen=True)
class Timing:
    calendar: WorkingDayCalendar
    rules: DeadlineRules
    proposal_reminder_days: tuple[int, ...] = (2, 5)
    settlement_check_days: int = 7
    extend_default_days: int = 5

    def deadlines(self, enterprise_id: str, district: str, submitted: date) -> tuple[date, date]:
        """(accept by, resolve by) for a case submitted on ``submitted``."""
        policy = self.rules.for_case(enterprise_id, district)
        return (policy.accept.after(self.calendar, submitted),
                policy.resolve.after(self.calendar, submitted))

    def extended(self, today: date, days: int) -> date:
        return Span(days, Unit.WORKING).after(self.calendar, today)

    @classmethod
    def from_config(cls, odr: OdrConfig) -> Timing:
        calendar = WorkingDayCalendar.from_file(odr.calendar_file)
        default = Policy(accept=Span(odr.accept_working_days),
                         resolve=Span(odr.deadline_working_days))
        try:
            reminders = tuple(int(p) for p in odr.proposal_reminder_days.split(",") if p.strip())
        except ValueError:
            raise CalendarError("[odr] proposal_reminder_days: expected numbers like \"2,5\"") \
                from None
        return cls(calendar, DeadlineRules.from_file(odr.rules_file, default), reminders,
                   odr.settlement_check_days, odr.extend_default_days)
