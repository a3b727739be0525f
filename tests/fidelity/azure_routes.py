"""The Resource Manager operations of the installed `azure-mgmt-*` SDKs: verb, URL template,
api-version, query parameters and the request and response models of each, read from the
generated `build_*_request` functions and the operation methods that call them."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.fidelity.schema import Schema

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
