"""ODR deadlines and the timers that watch them (DESIGN §1 "ODR clock").

Every number is data: a default policy from the config, overridden per district or per
enterprise by a rules file (e.g. 鞍山市铁东区: accept within 2 days, finish within 7
natural days)::

    [district."鞍山市铁东区"]
    accept = "2 natural"
    resolve = "7 natural"

    [enterprise."as-xinhui"]
    resolve = "5 working"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.calendar import CalendarError, WorkingDayCalendar

CHINA = ZoneInfo("Asia/Shanghai")
REMINDER_HOUR = 9  # reminders go out at 09:00 China time, not at midnight


class Unit(StrEnum):
    WORKING = "working"
    NATURAL = "natural"


@dataclass(frozen=True)
class Span:
    days: int
    unit: Unit = Unit.WORKING

    def after(self, calendar: WorkingDayCalendar, start: date) -> date:
        if self.unit == Unit.NATURAL:
            return start + timedelta(days=self.days)
        return calendar.add_working_days(start, self.days)

    @classmethod
    def parse(cls, where: str, text: object) -> Span:
        parts = str(text).split()
        if len(parts) == 1:
            parts.append("working")
        try:
            span = cls(int(parts[0]), Unit(parts[1]))
        except (ValueError, IndexError):
            raise CalendarError(f"{where}: expected like \"10 working\" or \"7 natural\", "
                                f"got {text!r}") from None
        if span.days < 1:
            raise CalendarError(f"{where}: days must be at least 1")
        return span


@dataclass(frozen=True)
class Policy:
    accept: Span
    resolve: Span


@dataclass(frozen=True)
class DeadlineRules:
    default: Policy
    by_district: dict[str, Policy] = field(default_factory=dict)
    by_enterprise: dict[str, Policy] = field(default_factory=dict)

    def for_case(self, enterprise_id: str, district: str) -> Policy:
        """Enterprise rule first, then the most specific district named in the district."""
        if enterprise_id in self.by_enterprise:
            return self.by_enterprise[enterprise_id]
        matches = [name for name in self.by_district if name and name in district]
        if matches:
            return self.by_district[max(matches, key=len)]
        return self.default

    @classmethod
    def from_file(cls, path: str | Path | None, default: Policy) -> DeadlineRules:
        if not path:
            return cls(default)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CalendarError(f"deadline rules file {path}: {exc}") from None
        tables: dict[str, dict[str, Policy]] = {"district": {}, "enterprise": {}}
        for kind, entries in data.items():
            if kind not in tables or not isinstance(entries, dict):
                raise CalendarError(f"deadline rules file {path}: unknown table [{kind}]")
            for name, rule in entries.items():
                tables[kind][name] = _policy(f"{path} [{kind}.\"{name}\"]", rule, default)
        return cls(default, tables["district"], tables["enterprise"])


def _policy(where: str, rule: object, default: Policy) -> Policy:
    if not isinstance(rule, dict) or set(rule) - {"accept", "resolve"}:
        raise CalendarError(f"{where}: expected keys accept and/or resolve")
    policy = default
    if "accept" in rule:
        policy = replace(policy, accept=Span.parse(f"{where} accept", rule["accept"]))
    if "resolve" in rule:
        policy = replace(policy, resolve=Span.parse(f"{where} resolve", rule["resolve"]))
    return policy


def end_of(day: date) -> datetime:
    """A deadline date ends at midnight after it, China time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


def morning_of(day: date) -> datetime:
    return datetime.combine(day, time(REMINDER_HOUR), tzinfo=CHINA)


@dataclass(frozen=True)
class TimerSpec:
    kind: str
    due_at: datetime


def case_timers(submitted_at: datetime, accept_by: date, resolve_by: date,
                calendar: WorkingDayCalendar) -> list[TimerSpec]:
    """The timers a new case gets: the accept deadline; staff reminders at half time and on
    the last working day before the deadline; the deadline itself (→ overdue)."""
    end = end_of(resolve_by)
    half = submitted_at + (end - submitted_at) / 2
    day_before = resolve_by - timedelta(days=1)
    while not calendar.is_working_day(day_before) and day_before > submitted_at.date():
        day_before -= timedelta(days=1)
    specs = [TimerSpec("staff_half", half), TimerSpec("deadline", end)]
    if accept_by < resolve_by:
        specs.append(TimerSpec("accept_due", end_of(accept_by)))
    last_call = morning_of(day_before)
    if half < last_call < end:
        specs.append(TimerSpec("staff_day_before", last_call))
    return sorted(specs, key=lambda s: s.due_at)


def proposal_timers(proposed_at: datetime, reminder_days: tuple[int, ...]) -> list[TimerSpec]:
    return [TimerSpec(f"proposal_{days}d", proposed_at + timedelta(days=days))
            for days in reminder_days]
