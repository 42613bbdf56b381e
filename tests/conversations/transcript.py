"""Readable conversation transcripts (``> user`` / ``< bot``) and their runner.

Format, one line each:
    # comment                 ignored
    > text                    the user sends text ({ref} is replaced by the captured reference)
    < text                    the next bot reply contains text; {ref} captures a TS… number
      text                    (indented) the same reply also contains text
    !restart                  stop the application and start a new one on the same database
After each ``>``, the ``<`` lines that follow must account for every reply, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_REF = re.compile(r"TS\d{14}")


@dataclass
class Turn:
    says: str
    expect: list[list[str]] = field(default_factory=list)
    line: int = 0


@dataclass
class Script:
    name: str
    steps: list[Turn | str]


def parse(path: Path) -> Script:
    steps: list[Turn | str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("!"):
            steps.append(raw[1:].strip())
        elif raw.startswith("> "):
            steps.append(Turn(raw[2:], line=number))
        elif raw == ">":
            steps.append(Turn("", line=number))
        elif raw.startswith("< "):
            _last_turn(steps, path, number).expect.append([raw[2:]])
        elif raw.startswith("  "):
            turn = _last_turn(steps, path, number)
            if not turn.expect:
                raise ValueError(f"{path}:{number}: continuation line before any '<'")
            turn.expect[-1].append(raw.strip())
        else:
            raise ValueError(f"{path}:{number}: cannot read line {raw!r}")
    return Script(path.stem, steps)


def _last_turn(steps: list[Turn | str], path: Path, number: int) -> Turn:
    if not steps or not isinstance(steps[-1], Turn):
        raise ValueError(f"{path}:{number}: expectation before any '>' line")
    return steps[-1]


def check_turn(turn: Turn, replies: list[str], captured: dict[str, str], where: str) -> None:
    shown = "\n---\n".join(replies)
    if len(replies) != len(turn.expect):
        raise AssertionError(
            f"{where}:{turn.line} '> {turn.says}': expected {len(turn.expect)} replies, "
            f"got {len(replies)}:\n{shown}")
    for expected_parts, reply in zip(turn.expect, replies, strict=True):
        for part in expected_parts:
            if "{ref}" in part and "ref" not in captured:
                found = _REF.search(reply)
                if found is None:
                    raise AssertionError(f"{where}:{turn.line}: no reference number in:\n{reply}")
                captured["ref"] = found.group(0)
            wanted = part.replace("{ref}", captured.get("ref", "{ref}"))
            if wanted not in reply:
                raise AssertionError(
                    f"{where}:{turn.line} '> {turn.says}': reply lacks {wanted!r}:\n{reply}")
