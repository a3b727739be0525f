"""GCP clients for the stack's deploy-time calls and the responders, all pointed at one
endpoint (Google's, or a fake's), and waiting on operations the client library cannot.

compute_v1's own `operation.result()` polls through an operations client it builds with the
default endpoint, whatever endpoint the calling client was given; `wait_zone` polls through a
client built like the others instead, so it works against any endpoint.

Every call a client makes while a responder step runs is reported to that step (and so to the
custody log) by a response hook on the client's HTTP session: service, operation, the operation
name GCP returns for a change (the id its audit logs carry), the request body of every write.
Polls of operations are not reported.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from prewire.core.endpoints import is_loopback
from prewire.core.evidence.custody import ApiCall
from responders.runtime import active_step

ENDPOINT_ENV = "PREWIRE_GCP_ENDPOINT"
OPERATION_TIMEOUT_SECONDS = 600.0


class OperationFailed(RuntimeError):
    pass


class RestError(RuntimeError):
    """A REST call GCP answered with an error: the status code and Google's status name."""

    def __init__(self, operation: str, status: int, reason: str, text: str = "") -> None:
        super().__init__(f"{operation}: {status} {reason}")
        self.operation, self.status, self.reason, self.text = operation, status, reason, text


def default_credentials() -> Any:
    """Application Default Credentials (gcloud login, a key file, the metadata server)."""
    import google.auth

    credentials, _ = google.auth.default()
    return credentials


COLLECTIONS = frozenset(
    {
        "instances",
        "disks",
        "snapshots",
        "images",
        "firewalls",
        "networks",
        "subnetworks",
        "resourcePolicies",
        "operations",
        "serviceAccounts",
        "keys",
    }
)


VERBS = {"GET": "get", "DELETE": "delete", "PATCH": "patch", "POST": "insert", "PUT": "update"}


def describe(method: str, url: str) -> tuple[str, str]:
    """("compute", "instances.setTags") for POST .../zones/z/instances/vm-1/setTags."""
    path = url.split("?", 1)[0]
    parts = path.split("/")
    if "/storage/v1/" in path:
        kind = "objects" if re.search(r"/b/[^/]+/o(/|$)", path) else "buckets"
        listing = method == "GET" and path.endswith("/o")
        return "storage", f"{kind}.{'list' if listing else VERBS.get(method, method.lower())}"
    if path.endswith("/v2/entries:list"):
        return "logging", "entries.list"
    if re.search(r"/v1/projects/[^/]+/builds(/|$)", path):
        return "cloudbuild", "builds.create" if method == "POST" else "builds.get"
    if re.search(r"://[^/]+/apis?/", path):  # a GKE cluster's Kubernetes API
        return "kubernetes", f"{parts[-1]}.{'list' if method == 'GET' else method.lower()}"
    if re.search(r"/locations/[^/]+/services/[^/]+$", path):
        return "run", f"services.{VERBS.get(method, method.lower())}"
    if re.search(r"/locations/[^/]+/clusters/", path):
        return "container", f"clusters.{VERBS.get(method, method.lower())}"
    if "/serviceAccounts" in path:  # the IAM REST API: .../serviceAccounts/<email>[:verb]
        tail = parts[-1]
        resource = "keys" if "/keys" in path else "serviceAccounts"
        if ":" in tail:
            return "iam", f"{resource}.{tail.split(':', 1)[1]}"
        listing = method == "GET" and tail in ("keys", "serviceAccounts")
        return "iam", f"{resource}.{'list' if listing else VERBS.get(method, method.lower())}"
    service = parts[3] if len(parts) > 3 else "gcp"
    segments = [s for s in parts[4:] if s]
    listed = {"GET": "list", "POST": "insert"}
    if segments and segments[-1] in COLLECTIONS:  # .../instances
        return service, f"{segments[-1]}.{listed.get(method, method.lower())}"
    if len(segments) >= 2 and segments[-2] in COLLECTIONS:  # .../instances/vm-1
        return service, f"{segments[-2]}.{VERBS.get(method, method.lower())}"
    if len(segments) >= 3 and segments[-3] in COLLECTIONS:  # .../instances/vm-1/setTags
        return service, f"{segments[-3]}.{segments[-1]}"
    return service, method


def record(response: Any, *args: Any, **kwargs: Any) -> None:
    """requests response hook: report the call to the running step, if any."""
    step = active_step()
    request = response.request
    if step is None or "/operations/" in request.url:
        return
    service, operation = describe(request.method, request.url)
    params: dict[str, Any] = {}
    if request.method in ("POST", "PUT", "PATCH") and service != "storage":
        params = _json(request.body)
    operation_id = None
    error = None
    if response.status_code >= 400:
        error = str(_json(response.content).get("error", {}).get("status") or response.status_code)
    elif service in ("compute", "cloudbuild") and request.method != "GET":
        operation_id = _json(response.content).get("name")
    step.record_call(ApiCall(service, operation, operation_id, params, error))


def _json(body: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


RETRIES = 5


def retrying(session: Any) -> None:
    """Retry what a bad network does to a requests session: a dropped connection, a throttling
    429, a 5xx, with backoff (Retry-After honoured). The REST transports of Google's clients
    retry API errors only for some methods and never a dropped connection. Every method is
    retried: the responders' calls are idempotent by design (named snapshots, state checked
    before each change), which the fault campaign (prewire/drill/faults.py) checks."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=RETRIES,
        backoff_factor=0.2,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


@dataclass
class GcpClients:
    project: str
    credentials: Any = None
    """None: Application Default Credentials, or none at all for a local endpoint (prewire's
    GCP fake takes any request, and a sandbox has no Google account to sign in with)."""
    endpoint: str | None = field(default_factory=lambda: os.environ.get(ENDPOINT_ENV))

    def __post_init__(self) -> None:
        if self.credentials is None and is_loopback(self.endpoint):
            from google.auth.credentials import AnonymousCredentials

            self.credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]

    poll_seconds: float = field(
        default_factory=lambda: float(os.environ.get("PREWIRE_GCP_POLL_SECONDS", "1"))
    )
    _built: dict[str, Any] = field(default_factory=dict)

    def _options(self) -> Any:
        from google.api_core.client_options import ClientOptions

        return ClientOptions(api_endpoint=self.endpoint) if self.endpoint else None

    def _client(self, key: str, kind: Any) -> Any:
        if key not in self._built:
            client = kind(credentials=self.credentials, client_options=self._options())
            # The REST transport's requests session: the one place every call passes.
            session = getattr(getattr(client, "_transport", None), "_session", None)
            if session is not None:
                session.hooks["response"].append(record)
                retrying(session)
            self._built[key] = client
        return self._built[key]

    @property
    def instances(self) -> Any:
        from google.cloud import compute_v1

        return self._client("instances", compute_v1.InstancesClient)

    def rest(self, service: str) -> tuple[Any, str]:
        """(an authorized requests session, the service's base URL) for APIs whose client
        library offers gRPC only (IAM admin): calls recorded like any other."""
        from google.auth.transport.requests import AuthorizedSession

        if "rest" not in self._built:
            session = AuthorizedSession(self.credentials)  # type: ignore[no-untyped-call]
            session.hooks["response"].append(record)
            retrying(session)
            self._built["rest"] = session
        base = self.endpoint or f"https://{service}.googleapis.com"
        return self._built["rest"], base.rstrip("/")

    def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One JSON call to a REST API (`path` under the service's base URL), recorded like any
        other; an error answer raises RestError, named `<service> <last path segment>`."""
        session, base = self.rest(service)
        response = session.request(
            method, f"{base}{path}", json=body, params=params or None, timeout=60
        )
        if response.status_code >= 400:
            operation = f"{service} {path.split('?', 1)[0].rsplit('/', 1)[-1]}"
            reason = str(_json(response.content).get("error", {}).get("status") or response.reason)
            raise RestError(operation, response.status_code, reason, response.text[:200])
        return _json(response.content)

    @property
    def snapshots(self) -> Any:
        from google.cloud import compute_v1

        return self._client("snapshots", compute_v1.SnapshotsClient)

    @property
    def firewalls(self) -> Any:
        from google.cloud import compute_v1

        return self._client("firewalls", compute_v1.FirewallsClient)

    @property
    def disks(self) -> Any:
        from google.cloud import compute_v1

        return self._client("disks", compute_v1.DisksClient)

    @property
    def storage(self) -> Any:
        import google.cloud.storage as storage

        if "storage" not in self._built:
            client = storage.Client(
                project=self.project, credentials=self.credentials, client_options=self._options()
            )
            client._http.hooks["response"].append(record)
            self._built["storage"] = client
        return self._built["storage"]

    @property
    def zone_operations(self) -> Any:
        from google.cloud import compute_v1

        return self._client("zone_operations", compute_v1.ZoneOperationsClient)

    def wait_zone(self, zone: str, operation: Any) -> None:
        """Wait for a zonal operation (an ExtendedOperation or its name) to be DONE."""
        name = str(getattr(operation, "name", operation))
        deadline = time.monotonic() + OPERATION_TIMEOUT_SECONDS
        delay = self.poll_seconds
        while True:
            found = self.zone_operations.get(project=self.project, zone=zone, operation=name)
            status = getattr(found.status, "name", str(found.status))
            if status == "DONE":
                errors = list(getattr(found.error, "errors", None) or [])
                if errors:
                    raise OperationFailed(f"{name}: {errors[0].message}")
                return
            if time.monotonic() > deadline:
                raise OperationFailed(f"{name} still {status} after {OPERATION_TIMEOUT_SECONDS}s")
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
