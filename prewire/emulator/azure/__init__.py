"""A local fake of exactly the Azure operations prewire calls, served over HTTPS on 127.0.0.1.

No Azure emulator exists, so the responders, the audit and the drills are tested against this:
Resource Manager (`arm`, `services`), the Blob service (`blob`) and the Log Analytics query API
(`kql`), in one server on a free port, stopped on exit. Everything it does not implement
answers 501 `NotImplemented`.

    with FakeAzure() as azure:
        clients = azure.clients()          # AzureClients pointed at the fake
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from prewire.emulator.azure import kql
from prewire.emulator.azure.arm import ArmState
from prewire.emulator.azure.blob import BlobService
from prewire.emulator.azure.replies import ArmError, Reply, to_bytes
from prewire.emulator.azure.services import Services
from prewire.emulator.serving import LocalServer
from responders.azure.session import LocalCredential

SUBSCRIPTION = "00000000-0000-4000-8000-00000000f00d"
TENANT = "00000000-0000-4000-8000-0000000fa4e0"
LOGS_PATH = "/loganalytics"

log = logging.getLogger("prewire.emulator.azure")


FakeCredential = LocalCredential
"""The credential for the fake: a token is sent, the fake does not check whose."""


class FakeAzure:
    def __init__(self, *, lro_polls: int = 1) -> None:
        self.lro_polls = lro_polls
        self.url = ""
        self.certificate: Path | None = None
        self.subscription = SUBSCRIPTION
        self.state = ArmState("", SUBSCRIPTION, lro_polls)
        self.services = Services(self.state)
        self.blobs = BlobService(self.state, self.services)
        self.log_tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._server = LocalServer(self._app, tls=True, service="azure")

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeAzure:
        self.url = self._server.start().url
        self.certificate = self._server.certificate
        self.reset()
        return self

    def reset(self) -> None:
        """Forget every resource, blob, log row and grant (a fresh tenant)."""
        self.state = ArmState(self.url, self.subscription, self.lro_polls)
        self.services = Services(self.state)
        self.blobs = BlobService(self.state, self.services)
        self.log_tables = {}

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeAzure:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- clients ---------------------------------------------------------------------------
    def clients(self) -> Any:
        from responders.azure.session import AzureClients

        return AzureClients(
            subscription_id=self.subscription,
            credential=FakeCredential(),
            arm_endpoint=self.url,
            logs_endpoint=f"{self.url}{LOGS_PATH}",
            connection_verify=str(self.certificate),
            polling_interval=0,  # the fake sends no Retry-After: poll again at once
        )

    # -- the WSGI app ----------------------------------------------------------------------
    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        from werkzeug.wrappers import Request

        request = Request(environ)
        path = request.path
        headers = {k.lower(): v for k, v in request.headers.items()}  # HTTP names: any case
        body = request.get_data()
        query = {k: v for k, v in request.args.items()}
        request_id = str(uuid.uuid4())
        if not headers.get("authorization", "").startswith("Bearer ") and "sig" not in query:
            status, reply_headers, payload = (
                401,
                {"Content-Type": "application/json"},
                json.dumps(
                    {"error": {"code": "AuthenticationFailed", "message": "no bearer token"}}
                ).encode(),
            )
        else:
            try:
                status, reply_headers, payload = self._route(
                    request.method, path, query, headers, body
                )
                if path.startswith("/subscriptions/"):
                    addressed = request.host_url.rstrip("/")
                    reply_headers, payload = _addressed_to(
                        addressed, self.url, reply_headers, payload
                    )
            except Exception as error:  # a fake bug must show, not hang a test
                log.exception("fake azure failed on %s %s", request.method, path)
                status, reply_headers, payload = (
                    500,
                    {"Content-Type": "application/json"},
                    json.dumps(
                        {
                            "error": {
                                "code": "FakeError",
                                "message": f"{type(error).__name__}: {error}",
                            }
                        }
                    ).encode(),
                )
        reply_headers = {
            **reply_headers,
            "x-ms-request-id": request_id,
            "x-ms-version": "2025-01-05",
            "Content-Length": str(len(payload)),
        }
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(reply_headers.items()))
        return [payload] if request.method != "HEAD" else []

    def _route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        first = path.split("/")[1] if path.count("/") else ""
        if first == "subscriptions":
            try:
                reply = self.state.handle(
                    method, path, query, json.loads(body) if body.strip() else None
                )
            except ArmError as error:
                reply = Reply(error.status, error.body())
            return (
                reply.status,
                {"Content-Type": "application/json", **reply.headers},
                to_bytes(reply),
            )
        if path.startswith(LOGS_PATH + "/"):
            return self._query(path, json.loads(body or b"{}"))
        # Path-style blob URLs: /<account>/<container>/<blob name, which may hold slashes>
        parts = [part for part in path.lstrip("/").split("/", 2) if part]
        return self.blobs.handle(method, parts, query, headers, body)

    def _query(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        workspace = path.split("/")[-2]
        tables = self.log_tables.get(workspace)
        if tables is None:
            return _json(404, {"error": {"code": "WorkspaceNotFoundError", "message": workspace}})
        try:
            columns, rows = kql.run(body.get("query", ""), tables, _window(body.get("timespan")))
        except kql.KqlError as error:
            return _json(400, {"error": {"code": "BadArgumentError", "message": str(error)}})
        return _json(
            200,
            {
                "tables": [
                    {
                        "name": "PrimaryResult",
                        "columns": [
                            {"name": c, "type": "datetime" if c == "TimeGenerated" else "string"}
                            for c in columns
                        ],
                        "rows": [[_cell(r.get(c)) for c in columns] for r in rows],
                    }
                ]
            },
        )


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _window(timespan: str | None) -> tuple[datetime, datetime] | None:
    if not timespan:
        return None
    start, _, end = timespan.partition("/")
    if end.startswith("P"):
        raise kql.KqlError(f"the fake takes start/end timespans, not {timespan}")
    return (
        datetime.fromisoformat(start.replace("Z", "+00:00")),
        datetime.fromisoformat(end.replace("Z", "+00:00")),
    )


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    416: "Range Not Satisfiable",
    500: "Internal Server Error",
    501: "Not Implemented",
}


def _addressed_to(
    addressed: str, own: str, headers: dict[str, str], payload: bytes
) -> tuple[dict[str, str], bytes]:
    """A Resource Manager reply's URLs (blob endpoints, operation and next-page links) on the
    host the client addressed, as Azure's front doors answer with their own names: behind a
    proxy (the fault campaign's), the client's next calls go through the proxy too. Only ARM
    JSON is rewritten, never blob bytes (evidence must come back as it was stored)."""
    if addressed == own:
        return headers, payload
    rewritten = {k: v.replace(own, addressed) for k, v in headers.items()}
    return rewritten, payload.replace(own.encode(), addressed.encode())
