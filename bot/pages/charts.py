"""Small charts drawn on the server as inline SVG: nothing loads from anywhere else."""

from __future__ import annotations

from datetime import date
from html import escape


def bars(items: list[tuple[str, int]], width: int = 520) -> str:
    """Horizontal bars with labels, for counts by category, nature, ..."""
    if not items:
        return "<p class=muted>无数据</p>"
    top = max(n for _k, n in items) or 1
    row, label_w = 24, 150
    height = row * len(items) + 4
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' class='chart'>"]
    for i, (name, n) in enumerate(items):
        y = i * row + 2
        bar = int((width - label_w - 60) * n / top)
        parts.append(
            f"<text x='{label_w - 6}' y='{y + 16}' text-anchor='end'>{escape(name[:14])}</text>"
            f"<rect x='{label_w}' y='{y + 3}' width='{max(bar, 1)}' height='16'></rect>"
            f"<text x='{label_w + bar + 6}' y='{y + 16}'>{n}</text>")
    parts.append("</svg>")
    return "".join(parts)


def columns(series: list[tuple[date, int]], width: int = 640, height: int = 180) -> str:
    """Weekly volume as columns, labelled with the Monday of each week."""
    if not series:
        return "<p class=muted>无数据</p>"
    top = max(n for _d, n in series) or 1
    step = (width - 40) / len(series)
    parts = [f"<svg viewBox='0 0 {width} {height + 30}' role='img' class='chart'>"]
    for i, (monday, n) in enumerate(series):
        h = int(height * n / top)
        x = 30 + i * step
        parts.append(f"<rect x='{x:.1f}' y='{height - h}' width='{max(step - 4, 1):.1f}' "
                     f"height='{h}'><title>{monday.isoformat()}：{n}</title></rect>")
        if len(series) <= 16 or i % max(1, len(series) // 8) == 0:
            parts.append(f"<text x='{x:.1f}' y='{height + 16}'>{monday:%m-%d}</text>")
    parts.append(f"<text x='0' y='12'>{top}</text></svg>")
    return "".join(parts)
