"""A multi-head linear classifier over sparse string features, evaluated with numpy only.

Training (nlp/train.py) uses scikit-learn and exports the weights here, so that
inference imports neither sklearn nor scipy (cold start stays short).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Head:
    """One label set: weights (features x classes), bias, class names."""

    weights: FloatArray
    bias: FloatArray
    classes: tuple[str, ...]


class LinearModel:
    """Shared feature vocabulary, one head per label set."""

    def __init__(self, vocabulary: Sequence[str], heads: dict[str, Head]) -> None:
        self.vocabulary = {feature: i for i, feature in enumerate(vocabulary)}
        self.heads = heads
        # All heads side by side: one gather and one sum per text instead of one per head.
        self._names = sorted(heads)
        self._stacked = np.hstack([heads[n].weights for n in self._names]).astype(np.float32)
        self._bias = np.concatenate([heads[n].bias for n in self._names]).astype(np.float64)
        sizes = [len(heads[n].classes) for n in self._names]
        self._bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]

    def indices(self, features: Sequence[str]) -> list[int]:
        """Vocabulary rows of (unique) features; unknown features are skipped."""
        return [i for i in map(self.vocabulary.get, features) if i is not None]

    def probabilities(self, head: str, indices: Sequence[int], n_features: int) -> dict[str, float]:
        """Softmax over the head's classes for a binary, length-normalised feature vector."""
        spec = self.heads[head]
        logits = spec.bias.astype(np.float64)
        if indices:
            scale = 1.0 / math.sqrt(max(n_features, 1))
            logits = logits + spec.weights[indices].sum(axis=0, dtype=np.float64) * scale
        logits = logits - logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return {name: float(p) for name, p in zip(spec.classes, probs, strict=True)}

    def predict(self, indices: Sequence[int], n_features: int) -> dict[str, dict[str, float]]:
        """Probabilities of every head at once (same values as :meth:`probabilities`)."""
        logits = self._bias.copy()
        if indices:
            scale = 1.0 / math.sqrt(max(n_features, 1))
            logits += self._stacked[indices].sum(axis=0, dtype=np.float64) * scale
        values = logits.tolist()  # a few dozen numbers: plain floats beat small numpy arrays
        out: dict[str, dict[str, float]] = {}
        for i, name in enumerate(self._names):
            part = values[self._bounds[i] : self._bounds[i + 1]]
            top = max(part)
            exps = [math.exp(v - top) for v in part]
            total = sum(exps)
            out[name] = {c: e / total for c, e in zip(self.heads[name].classes, exps, strict=True)}
        return out

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "vocabulary": np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__)),
            "heads": np.array(sorted(self.heads)),
        }
        for name, head in self.heads.items():
            arrays[f"{name}.weights"] = head.weights.astype(np.float16)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
            arrays[f"{name}.classes"] = np.array(head.classes)
        with path.open("wb") as handle:  # a file handle: numpy must not append ".npz"
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = [str(v) for v in data["vocabulary"]]
            heads = {
                str(name): Head(
                    weights=data[f"{name}.weights"].astype(np.float32),
                    bias=data[f"{name}.bias"].astype(np.float32),
                    classes=tuple(str(c) for c in data[f"{name}.classes"]),
                )
                for name in data["heads"]
            }
        return cls(vocabulary, heads)
