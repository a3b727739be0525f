"""A JSON value checked against a JSON-schema-like description (the dialect of Google's discovery
documents, which the Kubernetes and Azure checkers produce too): unknown fields, wrong types and
values outside an enum are reported with the path of the offending field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Schema = Mapping[str, Any]
Resolve = Callable[[str], Schema | None]

INTEGER_FORMATS = ("int64", "uint64")  # JSON strings in Google's APIs


def _type_problem(value: Any, schema: Schema) -> str | None:
    kind = schema.get("type")
    if kind is None or kind == "any":
        return None
    if kind == "string":
        if not isinstance(value, str):
            return f"expected a string, got {type(value).__name__} {value!r:.40}"
        enum = schema.get("enum")
        if enum and value not in enum:
            return f"{value!r} is not one of {', '.join(map(str, enum[:8]))}"
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.lstrip("-").isdigit():
                return None  # Google's JSON mapping accepts integers as strings
            return f"expected an integer, got {type(value).__name__} {value!r:.40}"
        return None
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {type(value).__name__}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {value!r:.40}"
    if kind == "array":
        return None if isinstance(value, list) else f"expected an array, got {type(value).__name__}"
    if kind == "object":
        return (
            None if isinstance(value, dict) else f"expected an object, got {type(value).__name__}"
        )
    return None


def validate(value: Any, schema: Schema, resolve: Resolve, where: str = "") -> list[str]:
    """Problems of `value` against `schema`, each naming the field (`where`)."""
    seen: set[str] = set()
    while "$ref" in schema:
        name = str(schema["$ref"])
        if name in seen:
            break
        seen.add(name)
        found = resolve(name)
        if found is None:
            return [f"{where or '(body)'}: no schema {name} in the description"]
        schema = found
    if value is None:
        return []  # JSON null: an absent value
    if "anyOf" in schema:  # pydantic's Optional[X] and unions
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        results = [validate(value, b, resolve, where) for b in branches]
        return [] if any(not r for r in results) else (results[0] if results else [])
    problem = _type_problem(value, schema)
    label = where or "(body)"
    if problem:
        return [f"{label}: {problem}"]
    problems: list[str] = []
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += validate(item, schema["items"], resolve, f"{where}[{index}]")
    if isinstance(value, dict) and schema.get("type", "object") == "object":
        properties: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            if key in properties:
                problems += validate(item, properties[key], resolve, path)
            elif isinstance(extra, Mapping):
                problems += validate(item, extra, resolve, path)
            elif item is not None and extra is not True and (properties or extra is False):
                problems.append(f"{path}: unknown field")  # (a null is an absent value)
    return problems
