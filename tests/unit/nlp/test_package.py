"""Package rules (DESIGN §3): nlp imports only the standard library and well-kept libraries,
does no IO at import time, and ships a small trained model."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nlp

PACKAGE = Path(nlp.__file__).resolve().parent
ALLOWED = {"jieba", "numpy", "rapidfuzz", "pypinyin", "sklearn", "scipy", "nlp"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_nlp_imports_nothing_of_the_project() -> None:
    stdlib = set(sys.stdlib_module_names)
    for path in PACKAGE.rglob("*.py"):
        outside = _imports(path) - stdlib - ALLOWED
        assert not outside, f"{path.name} imports {outside}"


def test_import_loads_no_dictionary_and_no_model() -> None:
    code = ("import nlp, nlp.tokenizer as t, nlp.model_store as m; "
            "assert not t._state and not m._cache; import sys; assert 'sklearn' not in sys.modules")
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, cwd=PACKAGE.parent)


def test_trained_artefacts_are_committed_and_small() -> None:
    for name in ("classifier.bin", "base_dict.txt.gz"):
        artefact = PACKAGE / "model" / name
        assert artefact.exists()
        assert artefact.stat().st_size < 5_000_000
