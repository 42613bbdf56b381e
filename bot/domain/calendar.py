"""Chinese working-day calendar: weekends and statutory holidays off, make-up days on.

The calendar is data (DESIGN §1): the ``chinese_calendar`` package supplies the official
State Council arrangement for the years it knows, and an optional TOML file adds or
overrides years::

    [2027]
    holidays = ["2027-01-01", "2027-02-06"]
    workdays = ["2027-02-14"]   # make-up working days (调休上班)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar


class CalendarError(ValueError):
    pass


class WorkingDayCalendar:
    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> None:
        self._holidays = frozenset(extra_holidays)
        self._workdays = frozenset(extra_workdays)
        overlap = self._holidays & self._workdays
        if overlap:
            raise CalendarError(f"{min(overlap)} is listed both as holiday and as workday")
        self._overridden_years = {d.year for d in self._holidays | self._workdays}
        self._known: dict[date, bool] = {}
        """Days already looked up (a deadline walks over two to four weeks of them, and
        the package's own lookup is comparatively slow); a few thousand entries at most."""

    @classmethod
    def from_file(cls, path: str | Path | None) -> WorkingDayCalendar:
        if not path:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CalendarError(f"calendar file {path}: {exc}") from None
        holidays: list[date] = []
        workdays: list[date] = []
        for year, table in data.items():
            if not isinstance(table, dict):
                raise CalendarError(f"calendar file {path}: [{year}] must be a table")
            holidays += _dates(path, year, "holidays", table.get("holidays", []))
            workdays += _dates(path, year, "workdays", table.get("workdays", []))
        return cls(holidays, workdays)

    def is_working_day(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def _look_up(self, day: date) -> bool:
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        if day.year in self._overridden_years:
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # A year the package does not know and the data file does not cover:
            # weekends only, which errs on the side of a later deadline never an earlier one.
            return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (the start day itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current


def _dates(path: str | Path, year: str, key: str, values: object) -> list[date]:
    if not isinstance(values, list):
        raise CalendarError(f"calendar file {path}: [{year}] {key} must be a list of dates")
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise CalendarError(f"calendar file {path}: [{year}] {key}: bad date {value!r}") from None
    return out
