"""A small JSON Schema checker for the parts of OpenAPI 3.1 our document uses
($ref, allOf, type (also a list with "null"), enum, required, properties, items)."""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


def problems(value: Any, schema: dict[str, Any], document: dict[str, Any],
             where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema`` (empty when it conforms)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return problems(value, document["components"]["schemas"][name], document, where)
    found: list[str] = []
    for part in schema.get("allOf", ()):
        found += problems(value, part, document, where)
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        ok = any(isinstance(value, _TYPES[k]) and not (k in ("integer", "number")
                                                       and isinstance(value, bool))
                 for k in allowed)
        if not ok:
            return [*found, f"{where}: {value!r} is not {allowed}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        found += [f"{where}: missing {key}" for key in schema.get("required", ())
                  if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += problems(value[key], sub, document, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += problems(item, schema["items"], document, f"{where}[{i}]")
    return found
