"""Every read from the fake Kubernetes API checked against the Kubernetes OpenAPI description,
as the official `kubernetes` Python client carries it (a dev dependency, used only here).

The routes (HTTP verb, path template, query parameters, response type) are read from the client's
generated API classes, which OpenAPI Generator wrote from Kubernetes' own OpenAPI document; the
response bodies are checked against the JSON schema of the client's generated models (field
names, types, no unknown field). Container logs are text and are not parsed.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from prewire.emulator.serving import Exchange
from tests.fidelity.schema import Schema, validate

SERIALIZE = re.compile(r"def _(?P<op>\w+)_serialize\(")
QUERY = re.compile(r"_query_params\.append\(\('(?P<name>[^']+)'")
ROUTE = re.compile(r"method='(?P<method>[A-Z]+)',\s*resource_path='(?P<path>[^']+)'")
RESPONSE = re.compile(r"'200': \"(?P<type>\w+)\"")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    query: frozenset[str]
    response: str | None


def _api_classes() -> list[type]:
    from kubernetes import client

    names = ("CoreV1Api", "AppsV1Api", "RbacAuthorizationV1Api", "BatchV1Api")
    return [getattr(client, n) for n in names]


@cache
def routes() -> list[Route]:
    found: list[Route] = []
    for api in _api_classes():
        source = inspect.getsource(api)
        responses: dict[str, str] = {}
        for block in re.split(r"\n    def ", source):
            name = block.split("(", 1)[0].strip()
            if (match := RESPONSE.search(block)) and not name.startswith("_"):
                responses.setdefault(name.removesuffix("_with_http_info"), match.group("type"))
        for block in re.split(r"\n    def ", source):
            head = SERIALIZE.match("def " + block)
            route = ROUTE.search(block)
            if not head or not route:
                continue
            operation = head.group("op")
            template = re.sub(r"\{[^}]+\}", "[^/]+", route.group("path"))
            found.append(
                Route(
                    operation=operation,
                    method=route.group("method"),
                    pattern=re.compile(f"^{template}$"),
                    query=frozenset(QUERY.findall(block)),
                    response=responses.get(operation),
                )
            )
    return found


@cache
def model_schema(name: str) -> Schema | None:
    from kubernetes.client import models

    model = getattr(models, name, None)
    if model is None or not hasattr(model, "model_json_schema"):
        return None
    schema: Schema = model.model_json_schema(by_alias=True)
    return schema


class KubernetesChecker:
    service = "kubernetes"

    def __init__(self) -> None:
        self.checked = 0

    def check(self, exchange: Exchange) -> list[str]:
        self.checked += 1
        matches = [
            r for r in routes() if r.method == exchange.method and r.pattern.match(exchange.path)
        ]
        if not matches:
            return [f"{exchange.method} {exchange.path}: not an operation of the Kubernetes API"]
        # The most specific template: /api/v1/nodes/{name} over a watch or proxy path.
        route = min(matches, key=lambda r: r.pattern.pattern.count("[^/]+"))
        problems = [
            f"{route.operation}: query parameter {name!r} is not a parameter of the operation"
            for name in exchange.query
            if name not in route.query
        ]
        if exchange.response_headers.get("Content-Type", "").startswith("text/"):
            return problems  # container logs
        body = json.loads(exchange.response_body or b"null")
        kind = route.response if exchange.status < 400 else "V1Status"
        schema = model_schema(kind) if kind and kind != "str" else None
        if kind and kind != "str" and schema is None:
            return [*problems, f"{route.operation}: no model {kind} in the client"]
        if schema is not None:
            problems += [
                f"{route.operation}: response {p}" for p in validate(body, schema, resolver(schema))
            ]
        return problems


def resolver(root: Schema) -> Any:
    definitions = root.get("$defs", {})

    def resolve(reference: str) -> Schema | None:
        found: Schema | None = definitions.get(reference.rsplit("/", 1)[-1])
        return found

    return resolve
