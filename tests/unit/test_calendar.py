"""ODR deadlines on the Chinese working-day calendar (holidays off, make-up days on)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.calendar import CalendarError, WorkingDayCalendar

CAL = WorkingDayCalendar()


@pytest.mark.parametrize(
    ("submitted", "days", "deadline"),
    [
        pytest.param(date(2026, 11, 23), 10, date(2026, 12, 7), id="plain-two-weeks"),
        pytest.param(date(2026, 11, 27), 1, date(2026, 11, 30), id="friday-skips-weekend"),
        # Spring Festival 2026: 15-23 Feb off, Sat 14 Feb and Sat 28 Feb are make-up days.
        pytest.param(date(2026, 2, 10), 10, date(2026, 3, 2), id="spring-festival"),
        pytest.param(date(2026, 2, 13), 1, date(2026, 2, 14), id="makeup-saturday-counts"),
        # National Day 2026: 1-7 Oct off; Sun 20 Sep and Sat 10 Oct are make-up days.
        pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="national-day"),
        pytest.param(date(2026, 9, 25), 10, date(2026, 10, 15), id="across-national-day"),
        pytest.param(date(2026, 10, 9), 1, date(2026, 10, 10), id="national-day-makeup-saturday"),
    ],
)
def test_deadline(submitted: date, days: int, deadline: date) -> None:
    assert CAL.add_working_days(submitted, days) == deadline


def test_data_file_adds_a_year(tmp_path: Path) -> None:
    data = tmp_path / "cal.toml"
    data.write_text('[2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-01-02"]\n')
    cal = WorkingDayCalendar.from_file(data)
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 1, 2))  # a Saturday made a working day
    assert not cal.is_working_day(date(2027, 1, 3))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param('[2027]\nholidays = ["not-a-date"]\n', id="bad-date"),
        pytest.param('[2027]\nholidays = "2027-01-01"\n', id="not-a-list"),
        pytest.param("[2027\n", id="bad-toml"),
        pytest.param('[2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-01-01"]\n',
                     id="both-holiday-and-workday"),
    ],
)
def test_malformed_calendar_data_fails_clearly(tmp_path: Path, content: str) -> None:
    data = tmp_path / "cal.toml"
    data.write_text(content)
    with pytest.raises(CalendarError):
        WorkingDayCalendar.from_file(data)
