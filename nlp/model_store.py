"""Loading the trained linear model, once.

nlp/model/classifier.bin is a numpy .npz archive; the .bin name keeps it inside the
package data that pyproject.toml already ships.
"""

from __future__ import annotations

import threading
from pathlib import Path

from nlp.linear import LinearModel

MODEL_PATH = Path(__file__).resolve().parent / "model" / "classifier.bin"

_lock = threading.Lock()
_cache: dict[str, LinearModel | None] = {}


def load_model(path: Path = MODEL_PATH) -> LinearModel | None:
    """The classifier, or None when it has not been trained (rules then decide alone)."""
    key = str(path)
    if key in _cache:
        return _cache[key]
    with _lock:
        if key not in _cache:
            _cache[key] = LinearModel.load(path) if path.exists() else None
    return _cache[key]
