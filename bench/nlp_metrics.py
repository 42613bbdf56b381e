"""Small metric helpers for the NLP benchmarks (no sklearn needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1)


def per_class(gold: Sequence[str], pred: Sequence[str]) -> dict[str, tuple[float, float, float, int]]:
    """label -> (precision, recall, f1, support) for every label seen in gold or pred."""
    out: dict[str, tuple[float, float, float, int]] = {}
    for label in sorted(set(gold) | set(pred)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = (precision, recall, f1, tp + fn)
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro F1 over the labels present in gold."""
    table = per_class(gold, pred)
    labels = sorted(set(gold))
    return sum(table[label][2] for label in labels) / max(len(labels), 1)


def micro_f1_sets(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(set(p) - set(g)) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(set(g) - set(p)) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def confusion_table(gold: Sequence[str], pred: Sequence[str]) -> str:
    """Markdown confusion matrix, rows = gold, columns = predicted."""
    labels = sorted(set(gold) | set(pred))
    counts = Counter(zip(gold, pred, strict=True))
    head = "| gold \\ pred | " + " | ".join(labels) + " |"
    sep = "|---" * (len(labels) + 1) + "|"
    rows = [
        f"| {g} | " + " | ".join(str(counts[(g, p)] or "·") for p in labels) + " |" for g in labels
    ]
    return "\n".join([head, sep, *rows])


def class_table(gold: Sequence[str], pred: Sequence[str]) -> str:
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, (p, r, f, n) in per_class(gold, pred).items():
        lines.append(f"| {label} | {p:.2f} | {r:.2f} | {f:.2f} | {n} |")
    return "\n".join(lines)


def set_class_table(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> str:
    """Per-label precision/recall for multi-label sets (aggregate counts only)."""
    lines = ["| label | predicted | correct | precision | recall | support |", "|---|---|---|---|---|---|"]
    labels = sorted({x for g in gold for x in g} | {x for p in pred for x in p})
    for label in labels:
        support = sum(label in g for g in gold)
        predicted = sum(label in p for p in pred)
        correct = sum(label in g and label in p for g, p in zip(gold, pred, strict=True))
        precision = correct / predicted if predicted else 0.0
        recall = correct / support if support else 0.0
        lines.append(f"| {label} | {predicted} | {correct} | {precision:.2f} | {recall:.2f} | {support} |")
    return "\n".join(lines)
