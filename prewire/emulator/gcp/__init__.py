"""A local fake of exactly the GCP REST operations prewire calls, on 127.0.0.1 (HTTP).

Google's clients accept a plain-HTTP endpoint with anonymous credentials, so the fake needs no
certificate: `FakeGcp.client_options()` gives the endpoint each client is pointed at. So far it
serves the Compute calls the stack's snapshot attachment makes (see `compute`); everything else
answers 501 so a missing operation is named, never guessed.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from types import TracebackType
from typing import Any

from prewire.emulator.gcp.compute import ComputeState, GcpError

PROJECT = "prewire-fake"
ROUTES = (
    ("GET", re.compile(r"^/compute/v1/projects/(?P<p>[^/]+)/aggregated/disks$"), "aggregated"),
    (
        "POST",
        re.compile(
            r"^/compute/v1/projects/(?P<p>[^/]+)/zones/(?P<z>[^/]+)/disks/(?P<d>[^/]+)/addResourcePolicies$"
        ),
        "add_policies",
    ),
    (
        "GET",
        re.compile(
            r"^/compute/v1/projects/(?P<p>[^/]+)/zones/(?P<z>[^/]+)/operations/(?P<o>[^/]+)$"
        ),
        "operation",
    ),
)


class FakeGcp:
    def __init__(self, project: str = PROJECT) -> None:
        self.project = project
        self.url = ""
        self.compute = ComputeState(project)
        self.requests: list[tuple[str, str]] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeGcp:
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    def reset(self) -> None:
        self.compute = ComputeState(self.project)
        self.requests = []

    def __enter__(self) -> FakeGcp:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- clients -----------------------------------------------------------------------------
    def client_options(self) -> Any:
        from google.api_core.client_options import ClientOptions

        return ClientOptions(api_endpoint=self.url)

    def credentials(self) -> Any:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()  # type: ignore[no-untyped-call]

    # -- the WSGI app --------------------------------------------------------------------------
    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        self.requests.append((request.method, request.full_path))
        try:
            body = self._route(request.method, request.path, request.args, request.get_data())
            status, payload = 200, body
        except GcpError as error:
            status, payload = error.code, error.body()
        response = Response(json.dumps(payload), status=status, content_type="application/json")
        return list(response(environ, start_response))

    def _route(self, method: str, path: str, args: Any, data: bytes) -> dict[str, Any]:
        for verb, pattern, name in ROUTES:
            found = pattern.match(path)
            if verb != method or not found:
                continue
            if found.group("p") != self.project:
                raise GcpError(
                    403, "PERMISSION_DENIED", f"project {found.group('p')} is not this fake's"
                )
            if name == "aggregated":
                return self.compute.aggregated_disks(str(args.get("filter", "")))
            if name == "add_policies":
                body = json.loads(data or b"{}")
                return self.compute.add_resource_policies(found.group("z"), found.group("d"), body)
            return self.compute.zone_operation(found.group("z"), found.group("o"))
        raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} {path}")
