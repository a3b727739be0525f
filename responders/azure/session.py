"""The Azure client factory responders receive from their caller.

One factory per run: management clients for exactly the services the responders call, created
once and shared by worker threads, each reporting every HTTP request to the `Step` active in
the calling thread (method, ARM type, `x-ms-request-id`, the body of every write), so the custody
log holds what was asked of Azure. The same code runs against Azure, or against the local fake
(`arm_endpoint`, `logs_endpoint` and `connection_verify` pointed at it).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy

from prewire.core.evidence.custody import ApiCall
from responders.runtime import Step, active_step, recording

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.containerservice import ContainerServiceClient
    from azure.mgmt.monitor import MonitorManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient
    from azure.monitor.query import LogsQueryClient
    from azure.storage.blob import BlobClient, BlobServiceClient

ARM = "https://management.azure.com"
LOG_ANALYTICS = "https://api.loganalytics.io"
T = TypeVar("T")
# Long-running operations are polled; these are not calls worth a custody line each.
_POLL_MARKERS = ("/operations/", "/operationresults/", "/operationstatuses/", "/asyncoperations/")
# Codes that mean "this endpoint does not implement the API" rather than "you asked wrongly".
GAP_CODES = frozenset({"NotImplemented", "NoRegisteredProviderFound", "InvalidResourceType"})


def error_code(error: BaseException) -> str:
    """The Azure error code of an SDK exception ("" when there is none)."""
    if isinstance(error, HttpResponseError):
        if error.error is not None and error.error.code:
            return str(error.error.code)
        response: Any = error.response
        if response is not None:
            return str(response.headers.get("x-ms-error-code", "")) or f"HTTP{response.status_code}"
    return ""


def rest_json(model: Any) -> dict[str, Any]:
    """A model as Azure's REST API returned it (camelCase, nested `properties`), whichever
    generation of SDK model it is: older ones `serialize`, newer ones are JSON mappings."""
    if hasattr(model, "serialize"):
        return dict(model.serialize(keep_readonly=True))
    return dict(model.as_dict())


def is_api_gap(error: BaseException) -> bool:
    return isinstance(error, HttpResponseError) and (
        error_code(error) in GAP_CODES or error.status_code == 501
    )


def describe(url: str, method: str) -> tuple[str, str]:
    """(service, operation) for a request: the ARM type (and action) or the data-plane service."""
    parsed = urlparse(url)
    path = parsed.path
    marker = path.lower().rfind("/providers/")
    if marker >= 0:
        namespace, *segments = path[marker + len("/providers/") :].split("/")
        types = segments[0::2]
        action = segments[-1] if method == "POST" and len(segments) % 2 == 1 else ""
        operation = "/".join([namespace, *types[: len(types) - (1 if action else 0)]])
        return namespace, f"{method} {operation}{'/' + action if action else ''}"
    if path.lower().startswith("/subscriptions/"):
        return (
            "Microsoft.Resources",
            f"{method} {'resourceGroups' if '/resourceGroups/' in path else 'subscriptions'}",
        )
    if "/workspaces/" in path and path.endswith("/query"):
        return "loganalytics", "query"
    if ".blob." in parsed.netloc or parsed.netloc.startswith(("127.0.0.1", "localhost")):
        return "blob", f"{method} blob"
    return parsed.netloc, f"{method} {path.split('?')[0]}"


class _Recorder(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Reports each response to the thread's active step, and counts every call."""

    def __init__(self, clients: AzureClients) -> None:
        self._clients = clients

    def on_response(
        self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]
    ) -> None:
        http_request, http_response = request.http_request, response.http_response
        self._clients.count()
        if any(m in http_request.url.lower() for m in _POLL_MARKERS):
            return
        step = active_step()
        if step is None:
            return
        service, operation = describe(http_request.url, http_request.method)
        params: dict[str, Any] = {}
        if http_request.method in ("PUT", "POST", "PATCH") and service != "blob":
            params = _json_body(http_request.body)
        error = None
        if http_response.status_code >= 400:
            error = http_response.headers.get("x-ms-error-code") or _error_of(http_response)
        step.record_call(
            ApiCall(
                service=service,
                operation=operation,
                request_id=http_response.headers.get("x-ms-request-id"),
                params=params,
                error=error,
            )
        )


def _json_body(body: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if isinstance(body, (str, bytes)) and body else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {"body": parsed}


def _error_of(response: Any) -> str:
    try:
        return str(json.loads(response.text()).get("error", {}).get("code", response.status_code))
    except (ValueError, AttributeError):
        return str(response.status_code)


class AzureClients:
    def __init__(
        self,
        *,
        subscription_id: str,
        credential: TokenCredential,
        arm_endpoint: str = ARM,
        logs_endpoint: str = LOG_ANALYTICS,
        connection_verify: str | bool | None = None,
        polling_interval: float = 10.0,
    ) -> None:
        self.subscription_id = subscription_id
        self.credential = credential
        self.arm_endpoint = arm_endpoint.rstrip("/")
        self.logs_endpoint = logs_endpoint.rstrip("/")
        self._verify = connection_verify
        # Between polls of a long-running operation when Azure sends no Retry-After.
        self.polling_interval = polling_interval
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.call_count = 0
        self._count_lock = threading.Lock()

    def count(self) -> None:
        with self._count_lock:
            self.call_count += 1

    def transport_options(self) -> dict[str, Any]:
        """What every client gets: the recorder, and the fake's certificate when there is one."""
        options: dict[str, Any] = {"per_call_policies": [_Recorder(self)]}
        if self._verify is not None:
            options["connection_verify"] = self._verify
        return options

    def _management(self, key: str, build: Callable[..., T]) -> T:
        with self._lock:
            if key not in self._clients:
                self._clients[key] = build(
                    self.credential,
                    self.subscription_id,
                    base_url=self.arm_endpoint,
                    credential_scopes=[f"{ARM}/.default"],
                    polling_interval=self.polling_interval,
                    **self.transport_options(),
                )
            return self._clients[key]  # type: ignore[no-any-return]

    def recording(self, step: Step) -> contextlib.AbstractContextManager[None]:
        return recording(step)

    # Typed accessors: one place that knows the client classes.
    @property
    def compute(self) -> ComputeManagementClient:
        from azure.mgmt.compute import ComputeManagementClient

        return self._management("compute", ComputeManagementClient)

    @property
    def network(self) -> NetworkManagementClient:
        from azure.mgmt.network import NetworkManagementClient

        return self._management("network", NetworkManagementClient)

    @property
    def authorization(self) -> AuthorizationManagementClient:
        from azure.mgmt.authorization import AuthorizationManagementClient

        return self._management("authorization", AuthorizationManagementClient)

    @property
    def monitor(self) -> MonitorManagementClient:
        from azure.mgmt.monitor import MonitorManagementClient

        return self._management("monitor", MonitorManagementClient)

    @property
    def containers(self) -> ContainerServiceClient:
        from azure.mgmt.containerservice import ContainerServiceClient

        return self._management("containers", ContainerServiceClient)

    @property
    def resources(self) -> ResourceManagementClient:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._management("resources", ResourceManagementClient)

    @property
    def storage(self) -> StorageManagementClient:
        from azure.mgmt.storage import StorageManagementClient

        return self._management("storage", StorageManagementClient)

    @property
    def logs(self) -> LogsQueryClient:
        from azure.monitor.query import LogsQueryClient

        with self._lock:
            if "logs" not in self._clients:
                self._clients["logs"] = LogsQueryClient(
                    self.credential, endpoint=self.logs_endpoint, **self.transport_options()
                )
            return self._clients["logs"]  # type: ignore[no-any-return]

    # Generic reads for what no typed operation covers here (pricings, locks at a scope, ...);
    # they go through the same pipeline, so they are recorded like any other call.
    def arm_get(self, path: str, api_version: str) -> dict[str, Any] | None:
        """The resource at `path` as ARM returns it, or None if it does not exist."""
        response = self._send(f"{self.arm_endpoint}{path}", api_version)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        return dict(response.json())

    def arm_list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        """Every item of the collection at `path`, following `nextLink`."""
        items: list[dict[str, Any]] = []
        url: str | None = f"{self.arm_endpoint}{path}"
        version: str | None = api_version
        while url:
            response = self._send(url, version)
            if response.status_code >= 400:
                raise HttpResponseError(response=response)
            page = response.json()
            items += page.get("value", [])
            url, version = page.get("nextLink"), None  # a next link carries its own version
        return items

    def _send(self, url: str, api_version: str | None) -> Any:
        from azure.core.rest import HttpRequest

        params = {"api-version": api_version} if api_version else None
        return self.resources.send_request(HttpRequest("GET", url, params=params))

    def blob_service(self, account_url: str) -> BlobServiceClient:
        """The Blob service of a storage account (its `primaryEndpoints.blob`), as this identity."""
        from azure.storage.blob import BlobServiceClient

        key = f"blob:{account_url}"
        with self._lock:
            if key not in self._clients:
                self._clients[key] = BlobServiceClient(
                    account_url,
                    credential=self.credential,
                    retry_policy=evidence_retry(),
                    **self.transport_options(),
                )
            return self._clients[key]  # type: ignore[no-any-return]

    def blob_at(self, sas_url: str) -> BlobClient:
        """A blob reachable through a SAS URL Azure handed out (a disk export); no token sent."""
        from azure.storage.blob import BlobClient

        return BlobClient.from_blob_url(
            sas_url, retry_policy=evidence_retry(), **self.transport_options()
        )


def evidence_retry() -> Any:
    """Blob retries for evidence: the Storage SDK's default waits 15 s before its first retry
    (then 18, 24), so one dropped connection costs a responder 15 s of time to evidence. Two
    seconds growing to about 18, five times, still backs off from a busy account (503
    ServerBusy) and rides out a minute-long outage."""
    from azure.storage.blob import ExponentialRetry

    return ExponentialRetry(
        initial_backoff=2, increment_base=2, retry_total=5, random_jitter_range=1
    )


def azure_clients(subscription_id: str) -> AzureClients:
    """Clients for the CLI: Azure's endpoints and the default credential chain (az login,
    environment, managed identity), unless PREWIRE_AZURE_* point them elsewhere (a fake, a
    sovereign cloud): ARM_ENDPOINT, LOGS_ENDPOINT, CA_BUNDLE, and POLL_SECONDS between polls of
    a long-running operation when Azure sends no Retry-After (default 10)."""
    import os

    from prewire.core.endpoints import is_loopback

    arm = os.environ.get("PREWIRE_AZURE_ARM_ENDPOINT", ARM)
    return AzureClients(
        subscription_id=subscription_id,
        # A local fake (prewire's sandbox) checks that a token is sent, not whose.
        credential=local_credential() if is_loopback(arm) else default_credential(),
        arm_endpoint=arm,
        logs_endpoint=os.environ.get("PREWIRE_AZURE_LOGS_ENDPOINT", LOG_ANALYTICS),
        connection_verify=os.environ.get("PREWIRE_AZURE_CA_BUNDLE") or None,
        polling_interval=float(os.environ.get("PREWIRE_AZURE_POLL_SECONDS", "10")),
    )


class LocalCredential:
    """A token for a local endpoint (prewire's Azure fake, the sandbox): the fake checks that a
    bearer token is sent, not which, and no Entra tenant signs in there."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("local-token", _in_an_hour())

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo("local-token", _in_an_hour())


def _in_an_hour() -> int:
    from datetime import UTC, datetime, timedelta

    return int((datetime.now(UTC) + timedelta(hours=1)).timestamp())


def local_credential() -> TokenCredential:
    return LocalCredential()


def default_credential() -> TokenCredential:
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()
