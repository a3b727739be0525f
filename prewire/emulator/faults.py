"""A fault-injecting proxy in front of the embedded AWS or a fake: what a bad night looks like.

With a fixed seed, a share of requests gets one fault: a throttling answer in the cloud's own
words, a bare 5xx, a connection dropped before the request reaches the server, a connection
dropped after the server applied it (the client never learns it succeeded: the case that makes
a retry duplicate work), a slow answer, or an upload cut in half (the server receives the first
half of the body as if it were all, the client no answer: a write that failed mid-upload).
Everything else is forwarded untouched. The proxy
counts what it injected, so a campaign can say what the responders survived.

It binds 127.0.0.1 only and stops with its context. Over HTTPS (the Azure fake) it serves its own
throwaway certificate and forwards to the upstream without checking the upstream's (both are
local and the proxy's own certificate is the one clients trust).
"""

from __future__ import annotations

import http.client
import json
import random
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

from prewire.emulator.tls import self_signed

FAULTS = ("throttle", "server-error", "drop-before", "drop-after", "slow", "truncate")
TRUNCATE_AT_LEAST = 1024
"""A body this long or longer can be cut: the server gets its first half, the client no answer."""
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


def aws_throttle(path: str, headers: dict[str, str], body: bytes) -> Answer:
    """Throttling as each AWS protocol says it (botocore retries each of these by code)."""
    kind = headers.get("content-type", "")
    if "amz-json" in kind:
        return Answer(
            400, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        )
    if b"Action=" in body and b"Version=2016-11-15" in body:  # EC2's query protocol
        error = _xml_error("RequestLimitExceeded", "Request limit exceeded.")
        return Answer(503, f"<Response><Errors>{error}</Errors></Response>".encode(), "text/xml")
    if b"Action=" in body:  # the other query protocols (IAM, STS, ...)
        error = _xml_error("Throttling", "Rate exceeded", "<Type>Sender</Type>")
        return Answer(400, f"<ErrorResponse>{error}</ErrorResponse>".encode(), "text/xml")
    error = _xml_error("SlowDown", "Please reduce your request rate.")
    return Answer(503, error.encode(), "application/xml")  # S3


def _xml_error(code: str, message: str, extra: str = "") -> str:
    return f"<Error>{extra}<Code>{code}</Code><Message>{message}</Message></Error>"


def http_429(path: str, headers: dict[str, str], body: bytes) -> Answer:
    """Azure and Google APIs: 429, which their SDKs retry."""
    return Answer(
        429, json.dumps({"error": {"code": "TooManyRequests", "message": "throttled"}}).encode()
    )


Throttle = Callable[[str, dict[str, str], bytes], Answer]


@dataclass
class FaultPlan:
    seed: int
    share: float = 0.2
    """Of all requests, the part that gets a fault."""
    faults: tuple[str, ...] = FAULTS
    slow_seconds: float = 0.3
    throttle: Throttle = http_429

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 (reproducible, not secret)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        with self._lock:
            if self._random.random() >= self.share:
                return None
            return self._random.choice(self.faults)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed mid-request, on purpose) is not an error here."""


@dataclass
class FaultProxy:
    upstream: str
    plan: FaultPlan
    injected: Counter[str] = field(default_factory=Counter)
    log: list[tuple[str, str, str]] = field(default_factory=list)
    """(fault, method, path) of every request that got one."""
    forwarded: int = 0
    url: str = ""
    certificate: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __enter__(self) -> FaultProxy:
        target = urlparse(self.upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _relay(self) -> None:
                body = self._body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                fault = proxy.plan.draw()
                if fault == "truncate" and len(body) < TRUNCATE_AT_LEAST:
                    fault = None  # nothing worth cutting: forwarded untouched, not counted
                if fault:
                    proxy._count(fault, self.command, self.path)
                if fault == "drop-before":
                    return self._drop()
                if fault == "throttle":
                    return self._answer(proxy.plan.throttle(self.path, headers, body))
                if fault == "server-error":
                    return self._answer(Answer(503))
                if fault == "slow":
                    time.sleep(proxy.plan.slow_seconds)
                if fault == "truncate":
                    proxy._forward(target, self.command, self.path, headers, body[: len(body) // 2])
                    return self._drop()
                status, reply_headers, reply = proxy._forward(
                    target, self.command, self.path, headers, body
                )
                if fault == "drop-after":  # applied upstream; the client never hears
                    return self._drop()
                self.send_response(status)
                for key, value in reply_headers:
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
                return None

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks: list[bytes] = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _answer(self, answer: Answer) -> None:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def _drop(self) -> None:
                self.close_connection = True
                self.connection.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _relay

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if target.scheme == "https":
            certificate, key = self_signed(common_name="prewire fault proxy")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificate, key)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.certificate, scheme = certificate, "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def _count(self, fault: str, method: str, path: str) -> None:
        with self._lock:
            self.injected[fault] += 1
            self.log.append((fault, method, path))

    def _forward(
        self, target: Any, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if target.scheme == "https":
            context = ssl._create_unverified_context()  # noqa: S323 (a local fake, see above)
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                target.hostname, target.port, context=context, timeout=120
            )
        else:
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        sent = {k: v for k, v in headers.items() if k not in HOP_BY_HOP}
        sent["content-length"] = str(len(body))
        try:
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            reply = response.read()
            with self._lock:
                self.forwarded += 1
            return response.status, response.getheaders(), reply
        finally:
            connection.close()
