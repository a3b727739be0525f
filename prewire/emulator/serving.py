"""Serving a fake on 127.0.0.1: a WSGI app on a free port in a daemon thread, over HTTP or
HTTPS with a throwaway certificate, stopped (socket closed, thread joined) on request.

Every exchange (request and response, bodies included) can be observed: the test suite checks each
one against the provider's official API description (tests/fidelity/), so a misreading of an API
shared by a client and its fake cannot go unseen. Without observers nothing is recorded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from prewire.emulator.tls import self_signed


@dataclass(frozen=True)
class Exchange:
    service: str
    """Which fake answered: "gcp", "kubernetes", "azure", "aws"."""
    method: str
    path: str
    """As sent, percent-encoding kept (an object name's %2F is not a path separator)."""
    query: dict[str, list[str]]
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


Observer = Callable[[Exchange], None]
_OBSERVERS: list[Observer] = []


@contextlib.contextmanager
def observing(observer: Observer) -> Iterator[None]:
    """Call `observer` with every exchange of every local server while the block runs."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


def _observed(service: str, app: Any) -> Any:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        if not _OBSERVERS:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length or environ.get("wsgi.input_terminated"):  # sized, or chunked and terminated
            request_body = environ["wsgi.input"].read(length or -1)
            environ["wsgi.input"] = io.BytesIO(request_body)
        else:
            request_body = b""
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered["status"], answered["headers"] = int(status.split()[0]), dict(headers)
            return start_response(status, headers, *rest)

        body = b"".join(app(environ, capture))
        exchange = Exchange(
            service=service,
            method=environ["REQUEST_METHOD"],
            path=str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?")[0]
            or environ.get("PATH_INFO", ""),
            query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            request_headers={
                k[5:].replace("_", "-").title(): str(v)
                for k, v in environ.items()
                if k.startswith("HTTP_")
            }
            | ({"Content-Type": environ["CONTENT_TYPE"]} if environ.get("CONTENT_TYPE") else {}),
            request_body=request_body,
            status=answered.get("status", 0),
            response_headers=answered.get("headers", {}),
            response_body=body,
        )
        for observer in list(_OBSERVERS):
            observer(exchange)
        return [body]

    return wrapper


class LocalServer:
    def __init__(
        self, app: Any, *, tls: bool = False, service: str = "fake", **options: Any
    ) -> None:
        self.app, self.tls, self.options = _observed(service, app), tls, options
        self.certificate: Path | None = None
        self.url = ""
        self.host_port = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        ssl_context = None
        if self.tls:
            certificate, key = self_signed()
            self.certificate, ssl_context = certificate, (str(certificate), str(key))
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, ssl_context=ssl_context, **self.options
        )
        host, port = self._server.server_address[:2]
        self.host_port = f"{host}:{port}"
        self.url = f"{'https' if self.tls else 'http'}://{self.host_port}"
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
