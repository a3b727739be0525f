"""A JSON schema per Azure SDK model class, from msrest's `_attribute_map` (older SDKs) or the
typespec models' `rest_field`s and annotations (newer ones): wire names, nesting, types."""

from __future__ import annotations

import datetime
import enum
import importlib
import re
import sys
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from tests.fidelity.azure_routes import ARM_ERROR
from tests.fidelity.schema import Schema


def _scalar(python: Any) -> Schema:
    if (
        python is str
        or python is bytes
        or python in (datetime.datetime, datetime.date, datetime.timedelta, datetime.time)
    ):
        return {"type": "string"}
    if python is bool:
        return {"type": "boolean"}
    if python is int:
        return {"type": "integer"}
    if python is float:
        return {"type": "number"}
    if isinstance(python, type) and issubclass(python, enum.Enum):
        return {"type": "string", "enum": [str(m.value) for m in python]}
    return {}


def _hint_schema(hint: Any, module: str) -> Schema:
    origin = typing.get_origin(hint)
    arguments = [a for a in typing.get_args(hint) if a is not type(None)]
    if origin is typing.Union:
        if any(a is str for a in arguments):
            return {"type": "string"}  # an extensible enum: any string
        return _hint_schema(arguments[0], module) if len(arguments) == 1 else {}
    if origin in (list, typing.List, Iterable, typing.Sequence):  # noqa: UP006
        return {"type": "array", "items": _hint_schema(arguments[0], module) if arguments else {}}
    if origin in (dict, typing.Dict, Mapping):  # noqa: UP006
        value = _hint_schema(arguments[-1], module) if arguments else {}
        return {"type": "object", "additionalProperties": value or True}
    if isinstance(hint, type) and _is_model(hint):
        return {"$ref": f"{hint.__module__}.{hint.__qualname__}"}
    return _scalar(hint)


def _is_model(cls: type) -> bool:
    return (
        hasattr(cls, "_attribute_map")
        or hasattr(cls, "_attr_to_rest_field")
        or any("model_base" in b.__module__ for b in cls.__mro__[1:])
    )


MSREST_SCALARS = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "float": {"type": "number"},
    "decimal": {"type": "number"},
    "bool": {"type": "boolean"},
    "object": {},
}


def _msrest_type(kind: str, models: str) -> Schema:
    if kind.startswith("[") and kind.endswith("]"):
        return {"type": "array", "items": _msrest_type(kind[1:-1], models)}
    if kind.startswith("{") and kind.endswith("}"):
        return {"type": "object", "additionalProperties": _msrest_type(kind[1:-1], models) or True}
    if kind in MSREST_SCALARS:
        return MSREST_SCALARS[kind]
    if kind in (
        "iso-8601",
        "rfc-1123",
        "duration",
        "date",
        "time",
        "unix-time",
        "bytearray",
        "base64",
    ):
        return {"type": "integer"} if kind == "unix-time" else {"type": "string"}
    module = sys.modules.get(models)
    target = getattr(module, kind, None) if module else None
    if isinstance(target, type) and issubclass(target, enum.Enum):
        return {"type": "string"}
    return {"$ref": f"{models}.{kind}"} if target is not None else {}


def _insert(schema: dict[str, Any], path: list[str], leaf: Schema) -> None:
    for part in path[:-1]:
        schema = schema.setdefault("properties", {}).setdefault(part, {"type": "object"})
    schema.setdefault("properties", {})[path[-1]] = leaf


def _msrest_schema(cls: type) -> Schema:
    models = (
        cls.__module__.rsplit(".", 1)[0]
        if cls.__module__.endswith("_models_py3")
        else cls.__module__
    )
    models = models.removesuffix("._models")
    schema: dict[str, Any] = {"type": "object"}
    for attribute in getattr(cls, "_attribute_map", {}).values():
        key = str(attribute["key"])
        if not key:  # additional_properties
            schema["additionalProperties"] = True
            continue
        path = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", key)]
        _insert(schema, path, _msrest_type(str(attribute["type"]), models))
    if getattr(cls, "_subtype_map", None):
        schema["additionalProperties"] = True  # a subtype's fields
    return schema


def _typespec_schema(cls: type) -> Schema:
    with_fields: Any = cls
    if not hasattr(cls, "_attr_to_rest_field"):
        try:
            cls()  # the fields are collected on first instantiation
        except Exception:  # a model that refuses no arguments: described loosely
            return {"type": "object", "additionalProperties": True}
    namespace: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        module = sys.modules.get(base.__module__)
        if module is not None:
            namespace.update(vars(module))
    # The generated annotations name their package's models `_models`.
    namespace["_models"] = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    hints = typing.get_type_hints(cls, globalns=namespace)
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    for attribute, field in with_fields._attr_to_rest_field.items():
        schema["properties"][field._rest_name] = _hint_schema(
            hints.get(attribute, Any), cls.__module__
        )
    if getattr(cls, "__mapping__", None):
        schema["additionalProperties"] = True
    return schema


@cache
def model_schema(name: str) -> Schema | None:
    if name == "#arm-error":
        return ARM_ERROR
    module_name, _, class_name = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        return None
    if hasattr(cls, "_attribute_map"):
        return _msrest_schema(cls)
    return _typespec_schema(cls)


def response_schema(response: str) -> Schema:
    if response.startswith("list:"):
        return {
            "type": "object",
            "properties": {
                "value": {"type": "array", "items": {"$ref": response.removeprefix("list:")}},
                "nextLink": {"type": "string"},
            },
        }
    return {"$ref": response}
