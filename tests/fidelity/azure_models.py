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

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prewire.emulator.serving import Exchange
from tests.fidelity.azure_routes import (
    ASYNC_RESULT,
    ASYNC_SCHEMA,
    ASYNC_STATUS,
    ERROR_SCHEMA,
    GENERIC,
    LOG_QUERY,
    QUERY_MODELS,
    UNDESCRIBED,
    Operation,
    operations,
)
from tests.fidelity.azure_schemas import model_schema, response_schema
from tests.fidelity.schema import validate


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
            schema = response_schema(origin.response or "")
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
            schema = response_schema(operation.response)
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
