"""DESIGN §3 dependency rules, checked on the source (a test enforces them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("bot", "handlers", "nlp", "storage")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _files(package):
        for module in _imports(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


def test_nlp_imports_nothing_of_the_project() -> None:
    assert _violations("nlp", PROJECT[:2] + PROJECT[3:]) == []


def test_handlers_stay_off_platforms_and_storage() -> None:
    forbidden = ("telegram", "wechatpy", "aiohttp", "sqlalchemy", "storage", "bot.adapters",
                 "bot.app", "bot.dispatcher", "bot.relay", "bot.services")
    assert _violations("handlers", forbidden) == []


@pytest.mark.parametrize("adapter", sorted(p.name for p in (ROOT / "bot/adapters").iterdir()
                                           if p.is_dir() and not p.name.startswith("_")))
def test_adapters_import_only_the_core(adapter: str) -> None:
    others = tuple(f"bot.adapters.{p.name}" for p in (ROOT / "bot/adapters").iterdir()
                   if p.is_dir() and p.name != adapter)
    forbidden = ("handlers", "storage", "bot.app", "bot.dispatcher", "bot.services") + others
    assert _violations(f"bot/adapters/{adapter}", forbidden) == []


def test_domain_and_core_do_no_io() -> None:
    forbidden = ("aiohttp", "sqlalchemy", "storage", "telegram", "wechatpy", "handlers")
    assert _violations("bot/domain", forbidden) == []
    assert _violations("bot/core", forbidden) == []


def test_nothing_runs_at_import_time() -> None:
    """Module bodies hold definitions only (no engine, no app, no jieba load at import)."""
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
               ast.ClassDef, ast.Assign, ast.AnnAssign, ast.Expr, ast.If, ast.For)
    for package in PROJECT:
        for path in _files(package):
            if "migrations" in path.parts or path.name == "__main__.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.With) and "catch_warnings" in ast.unparse(node.items[0]):
                    continue  # silencing a third-party warning around its import
                if isinstance(node, ast.Try):  # optional imports
                    assert all(isinstance(n, ast.Import | ast.ImportFrom) for n in node.body), \
                        f"{path.relative_to(ROOT)}:{node.lineno}"
                    continue
                assert isinstance(node, allowed), f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(node, ast.Expr):
                    assert isinstance(node.value, ast.Constant), \
                        f"{path.relative_to(ROOT)}:{node.lineno} calls at import time"
