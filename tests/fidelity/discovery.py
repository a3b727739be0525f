"""Every exchange with the GCP fake checked against Google's discovery documents.

The documents are the ones `google-api-python-client` ships (a dev dependency, used only here):
Google's own description of each REST API. For each request the checker finds the method whose
HTTP verb and path template match, then checks the query parameters (the method's and the API's
global ones), the request body against the method's request schema and the response body against
its response schema (or, for an error status, Google's error envelope). An unknown method, an
unknown parameter, an unknown field, a wrong type or a value outside an enum is a violation that
names the API, the method and the field.

Two paths are not methods of the documents, and are checked as Google documents them: the PUTs
to a resumable upload's session URI (the final answer is the object `objects.insert` returns),
and the response of a media download (`alt=media`: the object's bytes, not JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email import message_from_bytes
from functools import cached_property
from pathlib import Path
from typing import Any

from prewire.emulator.serving import Exchange
from tests.fidelity.schema import Schema, validate

DOCUMENTS = (
    "compute.v1",
    "storage.v1",
    "logging.v2",
    "iam.v1",
    "container.v1",
    "run.v2",
    "cloudresourcemanager.v1",
    "cloudresourcemanager.v3",
    "pubsub.v1",
    "cloudbuild.v1",
    "monitoring.v3",
    "networkmanagement.v1",
)
# Security Command Center v2 has no discovery document in google-api-python-client (it ships
# v1, v1beta1 and v1beta2 only): its notification-config list is checked against nothing and
# reported as such by `unchecked`.
UNDESCRIBED = (
    re.compile(r"^/v2/(projects|organizations)/[^/]+/locations/[^/]+/notificationConfigs$"),
)
ERROR_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "status": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": True},
                },
                "details": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": True},
                },
            },
        }
    },
}


def documents_folder() -> Path:
    import googleapiclient

    return Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@dataclass(frozen=True)
class Method:
    api: str
    id: str
    http_method: str
    pattern: re.Pattern[str]
    query: frozenset[str]
    request: str | None
    response: str | None
    media_download: bool

    def label(self) -> str:
        return f"{self.api} {self.id}"


def _template(path: str) -> str:
    """A discovery path template as a regex: {x} one segment, {+x} any number of them."""
    out = ""
    for part in re.split(r"(\{\+?[^}]+\})", path):
        if part.startswith("{+"):
            out += r".+"
        elif part.startswith("{"):
            out += r"[^/]+"
        else:
            out += re.escape(part)
    return out


class Document:
    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        self.name = name
        self.data = data
        self.schemas: Mapping[str, Schema] = data.get("schemas", {})

    @cached_property
    def methods(self) -> list[Method]:
        service = "/" + str(self.data.get("servicePath", ""))
        global_query = {
            k for k, v in self.data.get("parameters", {}).items() if v.get("location") == "query"
        }
        found = []
        for method in _walk(self.data.get("resources", {})):
            query = frozenset(
                global_query
                | {
                    k
                    for k, v in method.get("parameters", {}).items()
                    if v.get("location") == "query"
                }
            )
            # flatPath is the precise form of a `{+name}` path; the generic one would match any.
            paths = [service + str(method.get("flatPath") or method["path"])]
            media = method.get("mediaUpload", {}).get("protocols", {})
            paths += [str(p["path"]) for p in media.values()]
            if method.get("useMediaDownloadService"):
                paths.append("/download" + service + str(method["path"]))
            for path in dict.fromkeys(paths):
                found.append(
                    Method(
                        api=self.name,
                        id=str(method["id"]),
                        http_method=str(method["httpMethod"]),
                        pattern=re.compile("^" + _template(path) + "$"),
                        query=query,
                        request=(method.get("request") or {}).get("$ref"),
                        response=(method.get("response") or {}).get("$ref"),
                        media_download=bool(method.get("supportsMediaDownload")),
                    )
                )
        return found

    def resolve(self, name: str) -> Schema | None:
        return self.schemas.get(name)


def _walk(resources: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _walk(resource.get("resources", {}))


def _json(body: bytes) -> Any:
    return json.loads(body) if body.strip() else None


def _multipart_metadata(exchange: Exchange) -> Any:
    """The JSON part of a multipart upload (the object's metadata)."""
    content_type = exchange.request_headers.get("Content-Type", "")
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + exchange.request_body
    )
    for part in message.walk():
        if part.get_content_type() == "application/json":
            payload = part.get_payload(decode=True)
            return json.loads(payload) if isinstance(payload, bytes) else None
    return None


class DiscoveryChecker:
    service = "gcp"

    def __init__(self, names: Iterable[str] = DOCUMENTS) -> None:
        folder = documents_folder()
        self.documents = [
            Document(n, json.loads((folder / f"{n}.json").read_text())) for n in names
        ]
        self.checked = 0
        self.unchecked: set[str] = set()

    def candidates(self, method: str, path: str) -> list[tuple[Document, Method]]:
        return [
            (document, m)
            for document in self.documents
            for m in document.methods
            if m.http_method == method and m.pattern.match(path)
        ]

    def check(self, exchange: Exchange) -> list[str]:
        if any(p.match(exchange.path) for p in UNDESCRIBED):
            self.unchecked.add(f"{exchange.method} {exchange.path}")
            return []
        if exchange.status == 501:
            return [
                f"{exchange.method} {exchange.path}: the fake does not serve what the client sent"
            ]
        self.checked += 1
        if exchange.method == "PUT" and "upload_id" in exchange.query:
            return self._session_upload(exchange)
        found = self.candidates(exchange.method, exchange.path)
        if not found:
            return [
                f"{exchange.method} {exchange.path}: "
                "no method of the discovery documents has this path"
            ]
        # One fake serves every API on one host: the request is right if it is right for one;
        # otherwise the most specific template's problems are shown.
        found.sort(key=lambda pair: -len(re.sub(r"\[\^/\]\+|\.\+", "", pair[1].pattern.pattern)))
        results = [self._check(document, method, exchange) for document, method in found]
        return [] if any(not r for r in results) else results[0]

    def _check(self, document: Document, method: Method, exchange: Exchange) -> list[str]:
        problems = [
            f"query parameter {name!r} is not a parameter of the method"
            for name in exchange.query
            if name not in method.query
        ]
        problems += self._request(document, method, exchange)
        problems += self._response(document, method, exchange)
        return [f"{method.label()}: {p}" for p in problems]

    def _request(self, document: Document, method: Method, exchange: Exchange) -> list[str]:
        upload = (exchange.query.get("uploadType") or [""])[0]
        if upload == "media":
            return []
        if upload == "multipart":
            body = _multipart_metadata(exchange)
        else:
            try:
                body = _json(exchange.request_body)
            except json.JSONDecodeError:
                return ["request body is not JSON"]
        if body is None:
            return []
        if method.request is None:
            return ["the method takes no request body"]
        return [f"request {p}" for p in validate(body, {"$ref": method.request}, document.resolve)]

    def _response(self, document: Document, method: Method, exchange: Exchange) -> list[str]:
        if method.media_download and (
            exchange.query.get("alt") == ["media"] or exchange.path.startswith("/download/")
        ):
            return []  # the object's bytes
        try:
            body = _json(exchange.response_body)
        except json.JSONDecodeError:
            return ["response body is not JSON"]
        if body is None:
            return []
        if exchange.status >= 400:
            return [f"error {p}" for p in validate(body, ERROR_SCHEMA, document.resolve)]
        if method.response is None:
            return ["the method has no response body"]
        return [
            f"response {p}" for p in validate(body, {"$ref": method.response}, document.resolve)
        ]

    def _session_upload(self, exchange: Exchange) -> list[str]:
        storage = next(d for d in self.documents if d.name == "storage.v1")
        if exchange.status == 308 or not exchange.response_body.strip():
            return []  # "Resume Incomplete": the upload goes on
        body = _json(exchange.response_body)
        schema: Schema = ERROR_SCHEMA if exchange.status >= 400 else {"$ref": "Object"}
        return [
            f"storage.v1 resumable upload: response {p}"
            for p in validate(body, schema, storage.resolve)
        ]
