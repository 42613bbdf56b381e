"""Classifier and extractor on the hand-labelled real complaints (evaluation only).

    .venv/bin/python bench/nlp_eval.py            # tables for all rows and `high` rows
    ODRBOT_SHARED_DATA=/path/to/data .venv/bin/python bench/nlp_eval.py

Reads ../shared/data/real-complaints-eval/ at run time; prints Markdown. Prints no text
from the set: only aggregate scores, per-class tables and confusion matrices. The set has
no message dates, so extraction runs with message_date=None (dates need their own year,
which is also the set's labelling rule).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nlp_metrics as m  # noqa: E402

import nlp  # noqa: E402

FIELDS = ("phone", "amount", "purchase_date", "order_no", "merchant", "product")


def data_dir() -> Path:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return Path(os.environ.get("ODRBOT_SHARED_DATA", default))


def load_rows() -> list[dict[str, Any]]:
    path = data_dir() / "real-complaints-eval" / "real_complaints_eval.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def predict(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        labels = nlp.classify(row["text"])
        ents = nlp.extract(row["text"], None)
        out.append({
            "category": labels.category, "nature": labels.nature, "channel": labels.channel,
            "prepaid": labels.prepaid, "demands": list(labels.demands),
            "entities": {
                "merchant": ents.merchant, "product": ents.product, "phone": ents.phone,
                "amount": ents.amount, "order_no": ents.order_no,
                "purchase_date": ents.purchase_date.isoformat() if ents.purchase_date else None,
            },
        })
    return out


def _same(field: str, gold: Any, pred: Any) -> bool:
    if field == "amount" and gold is not None and pred is not None:
        return abs(float(gold) - float(pred)) < 0.005
    return bool(gold == pred)


def entity_scores(rows: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]) -> list[str]:
    lines = ["| field | gold present | exact match | gold absent | false positives |",
             "|---|---|---|---|---|"]
    for field in FIELDS:
        present = [(r["entities"][field], p["entities"][field]) for r, p in zip(rows, preds, strict=True)
                   if r["entities"][field] is not None]
        absent = [p["entities"][field] for r, p in zip(rows, preds, strict=True)
                  if r["entities"][field] is None]
        hit = sum(_same(field, g, p) for g, p in present)
        fps = sum(p is not None for p in absent)
        exact = f"{hit / len(present):.3f} ({hit}/{len(present)})" if present else "n/a"
        lines.append(f"| {field} | {len(present)} | {exact} | {len(absent)} | "
                     f"{fps / max(len(absent), 1):.3f} ({fps}) |")
    return lines


def summary(rows: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]) -> dict[str, float]:
    def col(items: Sequence[dict[str, Any]], key: str) -> list[Any]:
        return [item[key] for item in items]

    return {
        "category accuracy": m.accuracy(col(rows, "category"), col(preds, "category")),
        "nature macro-F1": m.macro_f1(col(rows, "nature"), col(preds, "nature")),
        "nature accuracy": m.accuracy(col(rows, "nature"), col(preds, "nature")),
        "demands micro-F1": m.micro_f1_sets(col(rows, "demands"), col(preds, "demands")),
        "channel accuracy": m.accuracy(col(rows, "channel"), col(preds, "channel")),
        "prepaid accuracy": m.accuracy([str(x) for x in col(rows, "prepaid")],
                                       [str(x) for x in col(preds, "prepaid")]),
    }


def report(title: str, rows: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]) -> str:
    gold_cat = [r["category"] for r in rows]
    pred_cat = [p["category"] for p in preds]
    gold_nat = [r["nature"] for r in rows]
    pred_nat = [p["nature"] for p in preds]
    parts = [f"### {title} ({len(rows)} rows)", "", "| metric | value |", "|---|---|"]
    parts += [f"| {k} | {v:.3f} |" for k, v in summary(rows, preds).items()]
    parts += ["", "Entities:", "", *entity_scores(rows, preds), ""]
    parts += ["Category per class:", "", m.class_table(gold_cat, pred_cat), ""]
    parts += ["Category confusion:", "", m.confusion_table(gold_cat, pred_cat), ""]
    parts += ["Nature per class:", "", m.class_table(gold_nat, pred_nat), ""]
    parts += ["Nature confusion:", "", m.confusion_table(gold_nat, pred_nat), ""]
    gold_dem = [r["demands"] for r in rows]
    pred_dem = [p["demands"] for p in preds]
    parts += ["Demands per label:", "", m.set_class_table(gold_dem, pred_dem), ""]
    return "\n".join(parts)


def main() -> int:
    nlp.warm_up()
    rows = load_rows()
    preds = predict(rows)
    high = [i for i, r in enumerate(rows) if r.get("confidence") == "high"]
    sys.stdout.write(report("All rows", rows, preds) + "\n")
    sys.stdout.write(report("High-confidence rows", [rows[i] for i in high],
                            [preds[i] for i in high]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
