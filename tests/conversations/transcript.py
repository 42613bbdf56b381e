"""Readable conversation transcripts (``> user`` / ``< bot``) and their runner.

Format, one line each:
    # comment                 ignored
    > text                    the user sends text ({ref} is replaced by the captured reference)
    < text                    the next bot reply contains text; {ref} captures a TS… number
      text                    (indented) the same reply also contains text
    !restart                  stop the application and start a new one on the same database
    !as NAME                  the following ``>`` lines are sent by user NAME (default "consumer")
    !invite ENTERPRISE_ID     create a staff invitation; {code} is its binding code
    !pushes NAME              messages pushed to NAME since it last looked; ``<<`` lines
    << text                   the next pushed message contains text (indented lines as above)
After each ``>``, the ``<`` lines that follow must account for every reply, in order;
after ``!pushes``, the ``<<`` lines must account for every pushed message.
Placeholders: {ref} captures the first TS… number seen, {ref2} the second; {code}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_REF = re.compile(r"TS\d{14}")
_CAPTURE = re.compile(r"\{(ref2?)\}")


@dataclass
class Turn:
    says: str
    expect: list[list[str]] = field(default_factory=list)
    line: int = 0


@dataclass
class Directive:
    name: str
    arg: str = ""
    expect: list[list[str]] = field(default_factory=list)
    line: int = 0


@dataclass
class Script:
    name: str
    steps: list[Turn | Directive]


def parse(path: Path) -> Script:
    steps: list[Turn | Directive] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("!"):
            name, _, arg = raw[1:].strip().partition(" ")
            steps.append(Directive(name, arg.strip(), line=number))
        elif raw.startswith("<< "):
            if not steps or not isinstance(steps[-1], Directive) or steps[-1].name != "pushes":
                raise ValueError(f"{path}:{number}: '<<' only after !pushes")
            steps[-1].expect.append([raw[3:]])
        elif raw.startswith("> "):
            steps.append(Turn(raw[2:], line=number))
        elif raw == ">":
            steps.append(Turn("", line=number))
        elif raw.startswith("< "):
            _last_turn(steps, path, number).expect.append([raw[2:]])
        elif raw.startswith("  "):
            last = steps[-1] if steps else None
            if last is None or not last.expect:
                raise ValueError(f"{path}:{number}: continuation line before any '<'")
            last.expect[-1].append(raw.strip())
        else:
            raise ValueError(f"{path}:{number}: cannot read line {raw!r}")
    return Script(path.stem, steps)


def _last_turn(steps: list[Turn | Directive], path: Path, number: int) -> Turn:
    if not steps or not isinstance(steps[-1], Turn):
        raise ValueError(f"{path}:{number}: expectation before any '>' line")
    return steps[-1]


def fill(text: str, captured: dict[str, str]) -> str:
    for key, value in captured.items():
        text = text.replace("{" + key + "}", value)
    return text


def check_turn(turn: Turn | Directive, replies: list[str], captured: dict[str, str],
               where: str) -> None:
    shown = "\n---\n".join(replies)
    label = f"'> {turn.says}'" if isinstance(turn, Turn) else f"!{turn.name} {turn.arg}"
    if len(replies) != len(turn.expect):
        raise AssertionError(
            f"{where}:{turn.line} {label}: expected {len(turn.expect)} messages, "
            f"got {len(replies)}:\n{shown}")
    for expected_parts, reply in zip(turn.expect, replies, strict=True):
        for part in expected_parts:
            for key in _CAPTURE.findall(part):
                if key not in captured:
                    taken = set(captured.values())
                    found = [m for m in _REF.findall(reply) if m not in taken]
                    if not found:
                        raise AssertionError(f"{where}:{turn.line}: no new reference in:\n{reply}")
                    captured[key] = found[0]
            wanted = fill(part, captured)
            if wanted not in reply:
                raise AssertionError(
                    f"{where}:{turn.line} {label}: message lacks {wanted!r}:\n{reply}")
