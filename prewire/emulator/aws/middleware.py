"""The WSGI layer in front of moto: Lambda code downloads, the cloud model's throttling and
latency, S3's refusal of a body that does not match its declared digest, and 501 for what moto
does not implement."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from prewire.emulator.aws.cloud_model import CloudModel, identify, throttled_response

NOT_IMPLEMENTED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
    b"<Message>the embedded emulator (moto) does not implement this API</Message></Error>"
    b"<RequestId>emulator</RequestId></ErrorResponse>"
)


Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

LAMBDA_CODE_PATH = "/_prewire/lambda-code/"


LAMBDA_CODE_URL = re.compile(
    r"^https://awslambda-[a-z0-9-]+-tasks\.s3\.[a-z0-9-]+\.amazonaws\.com/(.+)$"
)


def _lambda_code(key: str) -> bytes | None:
    from moto.awslambda.models import lambda_backends

    for account in lambda_backends.values():
        for backend in account.values():
            for entry in backend._lambdas._functions.values():
                for function in [entry["latest"], *entry["versions"]]:
                    if function is not None and function.code.get("S3Key") == key:
                        return bytes(function.code_bytes)
    return None


def quiet(dispatcher: Any) -> Any:
    """moto prints to stdout when a service has no backend; the caller's output (JSON on stdout)
    must stay clean, and the request ends as a 501 either way."""
    from moto import backend_index, backends

    class QuietDispatcher(dispatcher):  # type: ignore[misc]
        def get_backend_for_host(self, host: str | None) -> Any:
            if (
                host
                and "amazonaws.com" in host
                and host not in set(backends.list_of_moto_modules())
            ):
                patterns = backend_index.backend_url_patterns
                if not any(pattern.match(f"http://{host}") for _, pattern in patterns):
                    return None  # moto would print "Unable to find appropriate backend"
            return super().get_backend_for_host(host)

    return QuietDispatcher


BAD_DIGEST = (
    b"<Error><Code>BadDigest</Code><Message>The Content-MD5 or checksum value that you "
    b"specified did not match what the server received.</Message></Error>"
)
DECLARED_DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "HTTP_CONTENT_MD5": lambda body: hashlib.md5(body).digest(),  # noqa: S324 (S3's integrity check)
    "HTTP_X_AMZ_CHECKSUM_SHA256": lambda body: hashlib.sha256(body).digest(),
    "HTTP_X_AMZ_CHECKSUM_CRC32": lambda body: zlib.crc32(body).to_bytes(4, "big"),
}


def _refused_digest(environ: Environ) -> bool:
    """S3 refuses a PUT whose body does not match the Content-MD5 or checksum the client
    declared (400 BadDigest); moto stores the value without checking it, so an upload cut short
    would be kept as if complete. Bodies in aws-chunked framing carry their checksum in a
    trailer, which moto reads; they pass as they are."""
    if environ.get("REQUEST_METHOD") != "PUT" or "aws-chunked" in str(
        environ.get("HTTP_CONTENT_ENCODING", "")
    ):
        return False
    declared = {name: environ[name] for name in DECLARED_DIGESTS if environ.get(name)}
    if not declared:
        return False
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    return any(
        base64.b64encode(DECLARED_DIGESTS[name](body)).decode() != value
        for name, value in declared.items()
    )


class Middleware:
    def __init__(
        self, app: WsgiApp, latency_seconds: float, cloud_model: CloudModel | None = None
    ) -> None:
        self.app = app
        self.latency_seconds = latency_seconds
        self.cloud_model = cloud_model
        self.requests = 0
        self._lock = threading.Lock()

    def _modelled(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes] | None:
        """The cloud model's latency, and its answer when the API's bucket is empty."""
        model = self.cloud_model
        if model is None or str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = identify(environ, body)
        time.sleep(model.delay())
        if call is None or model.admit(call.account, call.region, call.service, call.action):
            return None
        status, headers, payload = throttled_response(call)
        start_response(status, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.latency_seconds and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.latency_seconds)
        with self._lock:
            self.requests += 1
        refused = self._modelled(environ, start_response)
        if refused is not None:
            return refused
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(LAMBDA_CODE_PATH):
            code = _lambda_code(path[len(LAMBDA_CODE_PATH) :])
            status = "200 OK" if code is not None else "404 Not Found"
            start_response(status, [("Content-Type", "application/zip")])
            return [code or b""]
        if _refused_digest(environ):
            start_response(
                "400 Bad Request",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(BAD_DIGEST)))],
            )
            return [BAD_DIGEST]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            body = b"".join(self.app(environ, capture))
        except Exception:  # moto raised out of its app: an emulator gap, not a transient fault
            logging.getLogger("prewire.emulator").debug("emulator error", exc_info=True)
            captured["status"] = "500"
            body = b""
        status = str(captured.get("status", ""))
        unrouted = status.startswith("404") and body.lstrip().lower().startswith(b"<!doctype html")
        if status.startswith("500") or unrouted:
            start_response(
                "501 Not Implemented",
                [("Content-Type", "text/xml"), ("Content-Length", str(len(NOT_IMPLEMENTED)))],
            )
            return [NOT_IMPLEMENTED]
        start_response(captured["status"], captured["headers"])
        return [body]
