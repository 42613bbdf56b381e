"""Reading an ODR enterprise registry file (JSONL or CSV) with errors that name the line."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.people import EnterpriseRow

FIELDS = ("id", "name", "aliases", "uscc", "district", "address", "categories")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
_CATEGORY = re.compile(r"^(G0[1-9]|G10|S0[1-9]|S1[0-2]|X00)$")


class RegistryFileError(ValueError):
    pass


def read_registry(path: Path) -> list[EnterpriseRow]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc}") from None
    records = _jsonl(path, content) if path.suffix.lower() in (".jsonl", ".json") \
        else _csv(path, content)
    rows = [_row(path, line, record) for line, record in records]
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise RegistryFileError(f"{path}: id {row.id!r} appears twice")
        seen.add(row.id)
    return rows


def _jsonl(path: Path, content: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RegistryFileError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise RegistryFileError(f"{path}:{number}: expected a JSON object")
        yield number, record


def _csv(path: Path, content: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(content))
    missing = {"id", "name"} - set(reader.fieldnames or ())
    if missing:
        raise RegistryFileError(f"{path}: CSV header lacks {sorted(missing)}")
    for number, record in enumerate(reader, 2):
        yield number, {k: v for k, v in record.items() if k is not None}


def _list(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in re.split(r"[|;；,，]", value) if p.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise ValueError("expected a list of strings")


def _row(path: Path, line: int, record: dict[str, Any]) -> EnterpriseRow:
    where = f"{path}:{line}"
    ident, name = str(record.get("id") or "").strip(), str(record.get("name") or "").strip()
    if not _ID.match(ident):
        raise RegistryFileError(f"{where}: id must be 1-64 letters, digits, _ . : -")
    if not name:
        raise RegistryFileError(f"{where}: name is required")
    uscc = str(record.get("uscc") or "").strip().upper() or None
    if uscc is not None and not _USCC.match(uscc):
        raise RegistryFileError(f"{where}: uscc must be an 18-character unified social credit code")
    try:
        aliases, categories = _list(record.get("aliases")), _list(record.get("categories"))
    except ValueError as exc:
        raise RegistryFileError(f"{where}: aliases/categories: {exc}") from None
    bad = [c for c in categories if not _CATEGORY.match(c)]
    if bad:
        raise RegistryFileError(f"{where}: unknown category code {bad[0]!r} (see TAXONOMY.md)")
    return EnterpriseRow(
        id=ident, name=name[:200], aliases=aliases, uscc=uscc,
        district=str(record.get("district") or "").strip(),
        address=str(record.get("address") or "").strip(), categories=categories,
    )
