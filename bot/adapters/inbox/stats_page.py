"""The enterprise's statistics page: the period, the weekly chart (inline SVG drawn on the
server: no script, no CDN), and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366
CHART_HEIGHT = 120
BAR_STEP = 22
BAR_WIDTH = 16


def period(request: web.Request, today: date) -> tuple[date, date]:
    """``?from=&to=`` as ISO dates (both days included); the last 12 weeks otherwise.
    A reversed range is swapped; a range longer than three years is cut."""
    last = _date(request.query.get("to")) or today
    first = _date(request.query.get("from")) or last - timedelta(weeks=DEFAULT_WEEKS) + \
        timedelta(days=1)
    if first > last:
        first, last = last, first
    if (last - first).days > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS)
    return first, last


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    week: date
    count: int
    tick: bool
    """Label this bar (the first bar, then the first week of each month)."""


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: int
    bars: tuple[Bar, ...]
    bar_width: int = BAR_WIDTH


def weekly_chart(weekly: tuple[tuple[date, int], ...]) -> Chart:
    top = max((count for _, count in weekly), default=0) or 1
    bars, last_tick = [], -99
    for i, (week, count) in enumerate(weekly):
        height = round(count / top * CHART_HEIGHT)
        tick = (i == 0 or week.day <= 7) and i - last_tick >= 3  # labels must not overlap
        last_tick = i if tick else last_tick
        bars.append(Bar(x=i * BAR_STEP + 4, y=CHART_HEIGHT - height + 10, height=height,
                        week=week, count=count, tick=tick))
    return Chart(width=max(len(bars) * BAR_STEP + 8, 120), height=CHART_HEIGHT + 30, top=top,
                 bars=tuple(bars))


def csv_response(rows: list[list[str]], filename: str) -> web.Response:
    """UTF-8 with a BOM (Excel opens it right); cells that a spreadsheet would run as a
    formula (= + - @) are prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        headers={"Content-Type": "text/csv; charset=utf-8",
                 "Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
