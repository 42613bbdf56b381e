"""Our outbound message in Telegram's shape: texts within 4096, choices as a keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.messages import Choice

MAX_MESSAGE = 4096
"""Telegram's limit for one message, counted in UTF-16 code units (an emoji can be 2)."""
MAX_CALLBACK_DATA = 64


def units(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split before sending, on line boundaries; a line longer than ``limit`` is cut.

    Telegram answers 400 "message is too long" past the limit; splitting up front saves a
    failed request and keeps the split on a line break, where a reader expects it.
    """
    if units(text) <= limit:
        return [text]
    parts: list[str] = []
    current, size = "", 0
    for line in text.splitlines(keepends=True):
        for piece in _cut(line, limit):
            length = units(piece)
            if current and size + length > limit:
                parts.append(current)
                current, size = "", 0
            current += piece
            size += length
    if current:
        parts.append(current)
    # Telegram refuses an empty message: a run of blank lines at a cut is dropped.
    return [part.strip("\n") for part in parts if part.strip()]


def _cut(line: str, limit: int) -> list[str]:
    """A single line longer than the limit, cut into pieces that fit."""
    if units(line) <= limit:
        return [line]
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        length = units(char)
        if size + length > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += length
    if current:
        pieces.append(current)
    return pieces


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (labels such as enterprise names are long); the button sends the
    choice key back as ``callback_data``, which we handle as if the user typed it."""
    if not choices:
        return None
    rows = [[InlineKeyboardButton(f"{c.key}. {c.label}",
                                  callback_data=c.key.encode()[:MAX_CALLBACK_DATA].decode(
                                      errors="ignore"))]
            for c in choices]
    return InlineKeyboardMarkup(rows)


def chosen_label(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The text of the button that carried ``data`` (to mark the choice after a tap)."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
