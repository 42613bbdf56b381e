"""Enterprise matcher on our own registry and cases (bench/data/match_*.jsonl).

    .venv/bin/python bench/match_eval.py             # the cases written with the matcher
    .venv/bin/python bench/match_eval.py --holdout   # written after a first tuning (see RESULTS)
    .venv/bin/python bench/match_eval.py --holdout2  # written after the second tuning
    .venv/bin/python bench/match_eval.py --holdout3  # written before the third (see RESULTS)
    .venv/bin/python bench/match_eval.py --holdout2 --holdout3  # several sets: their union
    .venv/bin/python bench/match_eval.py --all       # every set

Prints top-1 accuracy (the returned id equals the expected id, None included), the
wrong-enterprise rate (an id returned that is not the expected one) and results by kind.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp import EnterpriseIndex, EnterpriseRecord  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def load_registry(path: Path = DATA / "match_registry.jsonl") -> list[EnterpriseRecord]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row: dict[str, Any] = json.loads(line)
        records.append(EnterpriseRecord(
            id=row["id"], name=row["name"], aliases=tuple(row.get("aliases", ())),
            district=row.get("district", ""), address=row.get("address", ""),
            categories=tuple(row.get("categories", ())),
        ))
    return records


def load_cases(path: Path = DATA / "match_cases.jsonl") -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def main() -> int:
    index = EnterpriseIndex(load_registry())
    flags = {"--holdout": "match_cases_holdout.jsonl", "--holdout2": "match_cases_holdout2.jsonl",
             "--holdout3": "match_cases_holdout3.jsonl"}
    names = [name for flag, name in flags.items() if flag in sys.argv] or ["match_cases.jsonl"]
    if "--all" in sys.argv:
        names = ["match_cases.jsonl", *flags.values()]
    cases = [case for name in names for case in load_cases(DATA / name)]
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for case in cases:
        result = index.match(case["text"], case.get("city_hint"))
        kind = case["kind"]
        total[kind] += 1
        if result.enterprise_id == case["expected"]:
            right[kind] += 1
            continue
        if result.enterprise_id is not None:
            wrong[kind] += 1
        failures.append((case["id"], kind, case["text"], case.get("city_hint"), case["expected"],
                         result.enterprise_id, result.score, result.candidates[:3]))
    n = len(cases)
    lines = [f"cases: {n}; registry: {len(index)}",
             f"top-1 accuracy: {sum(right.values()) / n:.3f}",
             f"wrong-enterprise rate: {sum(wrong.values()) / n:.3f}", "",
             "| kind | cases | correct | wrong enterprise |", "|---|---|---|---|"]
    lines += [f"| {k} | {total[k]} | {right[k]} | {wrong[k]} |" for k in total]
    if "-v" in sys.argv:
        lines += ["", *(str(f) for f in failures)]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
