"""The consumer's chat words (DESIGN §5): Chinese, English and slash forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("complain", re.compile(r"^(投诉|我要投诉|我想投诉|/complain|complain|i want to complain)$", re.I)),
    ("status", re.compile(r"^(查询|查进度|进度|/status|status)(?:\s*[:：]?\s*(?P<arg>\S+))?$", re.I)),
    ("cancel", re.compile(r"^(取消|/cancel|cancel)$", re.I)),
    ("help", re.compile(r"^(帮助|help|/help|\?|？|菜单)$", re.I)),
    ("start", re.compile(r"^/start(?:\s+(?P<arg>\S+))?$", re.I)),
    ("withdraw", re.compile(r"^(撤回|/withdraw|withdraw)(?:\s*[:：]?\s*(?P<arg>\S+))?$", re.I)),
)


@dataclass(frozen=True)
class Command:
    name: str
    arg: str | None = None


def parse_command(text: str) -> Command | None:
    stripped = text.strip().rstrip("。.!！")
    for name, pattern in _COMMANDS:
        match = pattern.match(stripped)
        if match:
            arg = match.groupdict().get("arg")
            return Command(name, arg.upper() if arg and name in ("status", "withdraw") else arg)
    return None
