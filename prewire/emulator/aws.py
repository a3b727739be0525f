"""An embedded AWS: moto's server on 127.0.0.1, started in-process on a free port.

Three things differ from a bare `ThreadedMotoServer`, each to make the emulator behave more like
AWS where prewire depends on it:

- APIs moto does not implement answer HTTP 501 `NotImplemented` instead of 500, so SDK retries do
  not spin on them and responders can report "unsupported on this target" instead of failing.
- An interface's security groups are its own groups. moto reports the union of the interface's
  and the instance's groups, which would make an isolated interface look still open.
- Optional per-request latency resembles a real cloud for benchmarks.

moto keeps its state in process globals, so one emulator runs per process; starting one resets
that state.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import boto3
import requests

from responders.aws.session import AwsClients

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

ACCOUNT_ID = "123456789012"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

_NOT_IMPLEMENTED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
    b"<Message>the embedded emulator (moto) does not implement this API</Message></Error>"
    b"<RequestId>emulator</RequestId></ErrorResponse>"
)


def _fidelity_patches() -> None:
    """Correct moto where its behaviour would hide what prewire changed (idempotent)."""
    from moto.ec2.models import elastic_network_interfaces as eni_module

    network_interface: Any = eni_module.NetworkInterface
    if getattr(network_interface, "_prewire_patched", False):
        return
    network_interface.group_set = property(lambda self: list(self._group_set))
    network_interface._prewire_patched = True


class _Middleware:
    def __init__(self, app: WsgiApp, latency_seconds: float) -> None:
        self.app = app
        self.latency_seconds = latency_seconds
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.latency_seconds and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.latency_seconds)
        with self._lock:
            self.requests += 1
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        if str(captured.get("status", "")).startswith("500"):
            start_response(
                "501 Not Implemented",
                [("Content-Type", "text/xml"), ("Content-Length", str(len(_NOT_IMPLEMENTED)))],
            )
            return [_NOT_IMPLEMENTED]
        start_response(captured["status"], captured["headers"])
        return [body]


class EmbeddedAws:
    """`with EmbeddedAws() as aws:` gives an endpoint URL and clients for it."""

    def __init__(self, *, region: str = "us-east-1", latency_ms: float = 0.0) -> None:
        self.region = region
        self.latency_ms = latency_ms
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._middleware: _Middleware | None = None
        self.url = ""

    def start(self) -> EmbeddedAws:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _fidelity_patches()
        self._middleware = _Middleware(
            DomainDispatcherApplication(create_backend_app), self.latency_ms / 1000.0
        )
        self._server = make_server(
            "127.0.0.1", 0, self._middleware, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.reset()
        return self

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    @property
    def request_count(self) -> int:
        return self._middleware.requests if self._middleware else 0

    def session(self, region: str | None = None) -> boto3.Session:
        return boto3.Session(
            region_name=region or self.region,
            aws_access_key_id=CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        )

    def clients(self, *, region: str | None = None, max_pool: int = 32) -> AwsClients:
        return AwsClients(
            region=region or self.region,
            endpoint_url=self.url,
            session=self.session(region),
            max_pool=max_pool,
        )

    def client(self, service: str, region: str | None = None) -> Any:
        """A plain boto3 client (for seeding and assertions, outside the responders)."""
        return self.session().client(  # type: ignore[call-overload]
            service, region_name=region or self.region, endpoint_url=self.url
        )

    def environment(self) -> dict[str, str]:
        """Variables that point any AWS SDK or tool (e.g. Cloud Custodian) at this emulator."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def __enter__(self) -> EmbeddedAws:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
