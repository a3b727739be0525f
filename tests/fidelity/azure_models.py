"""Every exchange with the Azure fake's Resource Manager checked against the installed
`azure-mgmt-*` SDKs, which Microsoft generates from the REST API specs (Azure/azure-rest-api-specs).

The SDKs are the reference, read two ways:
- routes: each operation's HTTP verb, URL template, api-version and query parameters, from the
  generated `build_*_request` functions, and the model of its request body and of its response,
  from the operation methods that call them (`ClsType[...]`, `_serialize.body(...)`,
  `json.dumps(<param>, cls=SdkJSONEncoder)` with the parameter's annotation);
- models: a JSON schema per model class, from msrest's `_attribute_map` (older SDKs) or the
  typespec models' `rest_field`s and annotations (newer ones): wire names, nesting, types.

An exchange is checked against the most specific operation whose template matches (a generic
`/{resourceId}` operation only when nothing more specific does), preferring the same
api-version; the SDK may know a newer api-version of that operation than the one sent, in which
case the newer model is the reference (`version_gaps` lists them). Extensible enums (a string
or an enum member) take any string. Polymorphic models (a discriminator) accept their subtypes'
fields. The long-running-operation status the fake serves is checked against ARM's async
operation envelope, errors against ARM's error envelope. The Blob data plane is not checked here:
the store tests run against Azurite instead.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import json
import re
import sys
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prewire.emulator.serving import Exchange
from tests.fidelity.schema import Schema, validate

PACKAGES = (
    "azure.mgmt.compute",
    "azure.mgmt.network",
    "azure.mgmt.storage",
    "azure.mgmt.authorization.v2022_04_01",
    "azure.mgmt.authorization.v2020_10_01",
    "azure.mgmt.monitor",
    "azure.mgmt.containerservice",
    "azure.mgmt.resource.resources",
    "azure.mgmt.resource.locks",
    "azure.mgmt.resource.policy",
    "azure.mgmt.web",
    "azure.mgmt.eventhub",
    "azure.mgmt.dataprotection",
    "azure.mgmt.loganalytics",
    "azure.mgmt.msi.v2024_11_30",
    "azure.mgmt.msi.v2022_01_31_preview",
    "azure.mgmt.security.v2024_01_01",
    "azure.mgmt.security.v2019_01_01_preview",  # automations: the newest version the SDK has
)
# What no installed SDK describes: checked against nothing, and listed by `unchecked`.
UNDESCRIBED = {
    re.compile(r"/providers/Microsoft\.Insights/diagnosticSettings(/[^/]+)?$", re.I): (
        "diagnostic settings: azure-mgmt-monitor 7 dropped them and no other SDK has them"
    ),
}
BUILD = re.compile(r"^def build_(?P<name>\w+)_request\(", re.M)
TEMPLATE = re.compile(r'_url = (?:kwargs\.pop\(\s*"template_url",\s*)?"(?P<url>[^"]+)"')
VERB = re.compile(r'HttpRequest\(method="(?P<verb>[A-Z]+)"')
VERSION = re.compile(r'_params\.pop\("api-version", "(?P<version>[^"]+)"\)')
QUERY = re.compile(r'_params\["(?P<name>[^"]+)"\] = _SERIALIZER\.query')
UNQUOTED = re.compile(r'"(?P<param>\w+)": _SERIALIZER\.url\([^)]*skip_quote=True')
CALLS_BUILD = re.compile(r"\bbuild_(?P<name>\w+)_request\(")
CALLS_INITIAL = re.compile(r"self\.(?P<name>_\w+_initial)\(")
RESPONSE = re.compile(r"cls: ClsType\[(?P<type>[^\]]+(?:\])?)\] = kwargs\.pop")
BODY_MSREST = re.compile(r'_serialize\.body\(\w+, "(?P<model>\w+)"\)')
BODY_JSON = re.compile(r"json\.dumps\((?P<var>\w+), cls=SdkJSONEncoder")
ASYNC_STATUS = re.compile(
    r"/locations/[^/]+/(operations|operationStatuses|asyncoperations)/[^/]+$", re.I
)
ASYNC_RESULT = re.compile(r"/locations/[^/]+/operationResults/[^/]+$", re.I)
GENERIC = 0  # a template with no literal segment (`/{resourceId}`) matches anything
# The Log Analytics query API (azure-monitor-query's generated client and models).
LOG_QUERY = re.compile(r"/workspaces/[^/]+/query$")
QUERY_MODELS = (
    "azure.monitor.query.models._models.QueryBody",
    "azure.monitor.query.models._models.QueryResults",
)
ERROR_SCHEMA: Schema = {
    "type": "object",
    "properties": {"error": {"$ref": "#arm-error"}},
}
ARM_ERROR: Schema = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "target": {"type": "string"},
        "details": {"type": "array", "items": {"$ref": "#arm-error"}},
        "additionalInfo": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
}
# ARM's asynchronous operation status (resource-provider contract, "Azure-AsyncOperation").
ASYNC_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "status": {"type": "string"},
        "percentComplete": {"type": "number"},
        "startTime": {"type": "string"},
        "endTime": {"type": "string"},
        "properties": {"type": "object", "additionalProperties": True},
        "error": {"$ref": "#arm-error"},
    },
}


@dataclass(frozen=True)
class Operation:
    package: str
    name: str
    verb: str
    pattern: re.Pattern[str]
    literal: int
    """Path segments of the template that are literal words (how specific it is)."""
    version: str
    query: frozenset[str]
    request: str | None
    response: str | None

    def label(self) -> str:
        return f"{self.package.removeprefix('azure.mgmt.')} {self.name} ({self.version})"


def _blocks(source: str, separator: str) -> list[str]:
    return source.split(separator)


# Parameters that hold a path of several segments, whether or not the SDK marks them unquoted.
SCOPES = {"scope", "resourceId", "resourceUri", "parentResourcePath", "resourceScope"}


def _template(url: str, unquoted: set[str]) -> tuple[re.Pattern[str], int]:
    out = ""
    for part in re.split(r"(\{\w+\})", url):
        if part.startswith("{"):
            out += ".+" if part[1:-1] in unquoted | SCOPES else "[^/]+"
        else:
            out += re.escape(part)
    literal = sum(1 for segment in url.split("/") if segment and "{" not in segment)
    return re.compile(f"^{out}$", re.I), literal


def _model_of(expression: str, models: str) -> str | None:
    """`_models.VirtualMachine` -> 'azure.mgmt.compute.models.VirtualMachine';
    `List[_models.X]` (a page) -> 'list:...X'."""
    found = re.search(r"_models\.(\w+)", expression)
    if not found:
        return None
    name = f"{models}.{found.group(1)}"
    return f"list:{name}" if expression.strip().startswith(("List[", "list[")) else name


def _operations_files(package: str) -> Iterable[Path]:
    module = importlib.import_module(package)
    folder = Path(str(module.__file__)).parent / "operations"
    return sorted(p for p in folder.glob("_*.py") if p.name != "__init__.py")


@cache
def operations() -> list[Operation]:
    found: list[Operation] = []
    for package in PACKAGES:
        try:
            files = list(_operations_files(package))
        except ImportError:
            continue
        models = f"{package}.models"
        for path in files:
            source = path.read_text()
            builds: dict[str, tuple[str, str, str, frozenset[str], set[str]]] = {}
            for chunk in _blocks(source, "\ndef ")[1:]:
                head = BUILD.match("def " + chunk)
                url, verb = TEMPLATE.search(chunk), VERB.search(chunk)
                if not head or not url or not verb:
                    continue
                version = VERSION.search(chunk)
                builds[head.group("name")] = (
                    url.group("url"),
                    verb.group("verb"),
                    version.group("version") if version else "",
                    frozenset({"api-version", *QUERY.findall(chunk)}),
                    set(UNQUOTED.findall(chunk)),
                )
            linked: dict[str, tuple[str | None, str | None]] = {}
            for cls_source in _blocks(source, "\nclass ")[1:]:  # method names repeat per class
                _link(cls_source, builds, models, linked)
            for name, (template, method, api_version, query, unquoted) in builds.items():
                pattern, literal = _template(template, unquoted)
                request, response = linked.get(name, (None, None))
                found.append(
                    Operation(
                        package,
                        name,
                        method,
                        pattern,
                        literal,
                        api_version,
                        query,
                        request,
                        response,
                    )
                )
    return found


def _link(
    cls_source: str,
    builds: Mapping[str, Any],
    models: str,
    linked: dict[str, tuple[str | None, str | None]],
) -> None:
    """Which request and response models each build function's operation method names."""
    methods = {m.split("(", 1)[0].strip(): m for m in _blocks(cls_source, "\n    def ")[1:]}
    for body in methods.values():
        build = CALLS_BUILD.search(body)
        initial = CALLS_INITIAL.search(body)
        target = build.group("name") if build else None
        body_for_request = body
        if target is None and initial and initial.group("name") in methods:
            body_for_request = methods[initial.group("name")]
            inner = CALLS_BUILD.search(body_for_request)
            target = inner.group("name") if inner else None
        if target is None or target not in builds:
            continue
        response = RESPONSE.search(body)
        response_model = _model_of(response.group("type"), models) if response else None
        request_model = _request_model(body_for_request, models)
        previous = linked.get(target, (None, None))
        linked[target] = (request_model or previous[0], response_model or previous[1])


def _request_model(body: str, models: str) -> str | None:
    if found := BODY_MSREST.search(body):
        return f"{models}.{found.group('model')}"
    if found := BODY_JSON.search(body):
        annotation = re.search(rf"\b{found.group('var')}: (?P<type>[^\n=]+)", body)
        if annotation:
            return _model_of(annotation.group("type"), models)
    return None


# -- models as schemas -------------------------------------------------------------------------


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


def _response_schema(response: str) -> Schema:
    if response.startswith("list:"):
        return {
            "type": "object",
            "properties": {
                "value": {"type": "array", "items": {"$ref": response.removeprefix("list:")}},
                "nextLink": {"type": "string"},
            },
        }
    return {"$ref": response}


class AzureChecker:
    service = "azure"

    def __init__(self) -> None:
        self.checked = 0
        self.version_gaps: set[str] = set()
        self.not_arm: set[str] = set()
        self.paging: set[str] = set()
        """Query parameters of nextLinks the fake served: a client follows them as given."""
        self.pending: dict[str, tuple[Operation, Any]] = {}
        """An operation's result URL (Location) -> the operation whose result it is."""
        self.unchecked: set[str] = set()

    def candidates(self, method: str, path: str) -> list[Operation]:
        return [o for o in operations() if o.verb == method and o.pattern.match(path)]

    def check(self, exchange: Exchange) -> list[str]:
        if exchange.method == "POST" and LOG_QUERY.search(exchange.path):
            return self._log_query(exchange)
        if not exchange.path.startswith("/subscriptions"):
            self.not_arm.add(exchange.path.split("/")[1])  # the Blob service: run on Azurite
            return []
        for pattern, reason in UNDESCRIBED.items():
            if pattern.search(exchange.path):
                self.unchecked.add(reason)
                return []
        self.checked += 1
        if exchange.status == 501:
            return [
                f"{exchange.method} {exchange.path}: the fake does not serve what the client sent"
            ]
        body = _json(exchange.response_body)
        if ASYNC_STATUS.search(exchange.path) and exchange.method == "GET":
            return [
                f"async operation status {p}" for p in validate(body, ASYNC_SCHEMA, model_schema)
            ]
        if ASYNC_RESULT.search(exchange.path) and exchange.method == "GET":
            found_origin = self.pending.get(exchange.path.lower())
            if found_origin is None or body is None or not found_origin[0].response:
                return []
            origin, request = found_origin
            schema = _response_schema(origin.response or "")
            problems = [
                f"{origin.label()} result: {p}" for p in validate(body, schema, model_schema)
            ]
            if origin.name.endswith("run_command"):
                problems += _kubectl_output(request, body)
            return problems
        found = self.candidates(exchange.method, exchange.path)
        specific = [o for o in found if o.literal > GENERIC]
        found = specific or found  # `/{resourceId}` only when nothing more specific matches
        if not found:
            return [
                f"{exchange.method} {exchange.path}: no operation of the Azure SDKs has this path"
            ]
        best = max(o.literal for o in found)
        specific = [o for o in found if o.literal == best]
        version = (exchange.query.get("api-version") or [""])[0]
        same = [o for o in specific if o.version in (version, "")]
        chosen = same or sorted(specific, key=lambda o: o.version, reverse=True)
        if not same:
            self.version_gaps.add(f"{chosen[0].label()} for api-version {version}")
        self._remember(chosen[0], exchange, body)
        results = [self._check(o, exchange, body) for o in chosen]
        return [] if any(not r for r in results) else results[0]

    def _log_query(self, exchange: Exchange) -> list[str]:
        self.checked += 1
        request, response = _json(exchange.request_body), _json(exchange.response_body)
        problems = [
            f"request {p}" for p in validate(request, {"$ref": QUERY_MODELS[0]}, model_schema)
        ]
        if exchange.status == 200:
            schema = {"$ref": QUERY_MODELS[1]}
            problems += [f"response {p}" for p in validate(response, schema, model_schema)]
        return [f"monitor.query logs execute: {p}" for p in problems]

    def _remember(self, operation: Operation, exchange: Exchange, body: Any) -> None:
        location = exchange.response_headers.get("Location") or ""
        if location:
            self.pending[urlsplit(location).path.lower()] = (
                operation,
                _json(exchange.request_body),
            )
        if isinstance(body, dict) and isinstance(body.get("nextLink"), str):
            self.paging.update(parse_qs(urlsplit(body["nextLink"]).query))

    def _check(self, operation: Operation, exchange: Exchange, body: Any) -> list[str]:
        problems = [
            f"query parameter {name!r} is not a parameter of the operation"
            for name in exchange.query
            if name not in operation.query and name not in self.paging
        ]
        request = _json(exchange.request_body)
        if request is not None and operation.request:
            problems += [
                f"request {p}" for p in validate(request, {"$ref": operation.request}, model_schema)
            ]
        if body is not None and exchange.status >= 400:
            problems += [f"error {p}" for p in validate(body, ERROR_SCHEMA, model_schema)]
        elif body is not None and operation.response and exchange.status in (200, 201):
            schema = _response_schema(operation.response)
            problems += [f"response {p}" for p in validate(body, schema, model_schema)]
        return [f"{operation.label()}: {p}" for p in problems]


def _kubectl_output(request: Any, result: Any) -> list[str]:
    """AKS command invoke: what `kubectl ... -o yaml` printed, checked against the Kubernetes
    OpenAPI models as the GKE reads are (tests/fidelity/kubernetes.py)."""
    import yaml

    from tests.fidelity.kubernetes import model_schema as kubernetes_schema
    from tests.fidelity.kubernetes import resolver

    command = str((request or {}).get("command", ""))
    logs = ((result or {}).get("properties") or {}).get("logs") or ""
    if "-o yaml" not in command or not logs.strip():
        return []
    try:
        listed = yaml.safe_load(logs)
    except yaml.YAMLError:
        return [f"AKS {command}: the output is not YAML"]
    problems = []
    for index, item in enumerate((listed or {}).get("items") or []):
        kind = str(item.get("kind"))
        schema = kubernetes_schema(f"V1{kind}") or kubernetes_schema(f"CoreV1{kind}")
        if schema is None:
            problems.append(f"AKS {command}: items[{index}]: no Kubernetes model for kind {kind}")
            continue
        problems += [
            f"AKS {command}: items[{index}] ({kind}) {p}"
            for p in validate(item, schema, resolver(schema))
        ]
    return problems


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
