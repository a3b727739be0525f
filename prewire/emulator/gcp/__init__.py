"""A local fake of exactly the GCP REST operations prewire calls, on 127.0.0.1 (HTTP).

Google's clients accept a plain-HTTP endpoint with anonymous credentials, so the fake needs no
certificate: `FakeGcp.client_options()` gives the endpoint each client is pointed at. It serves
the Compute calls of the stack's snapshot attachment (`compute`) and the Cloud Storage JSON API
calls of the evidence store (`storage`), IAM (`iam`), Cloud Logging (`cloud_logging`) and GKE
(`gke`: `clusters.get` and `list`, and each cluster's Kubernetes API over HTTPS with the fake's
own CA), Cloud Run `services.get` (`run`), Cloud Build's image export (`cloud_build`), and the
list operations and the IAM policy `prewire audit gcp` reads (`listings`); everything else
answers 501 so a missing operation is named, never guessed.
"""

from __future__ import annotations

import json
import re
from types import TracebackType
from typing import Any

from prewire.emulator.gcp.cloud_build import CloudBuildState
from prewire.emulator.gcp.cloud_logging import LoggingState
from prewire.emulator.gcp.compute import ComputeState, GcpError
from prewire.emulator.gcp.gke import GkeState, KubernetesApi
from prewire.emulator.gcp.iam import IamState
from prewire.emulator.gcp.listings import ListingState
from prewire.emulator.gcp.run import RunState
from prewire.emulator.gcp.storage import StorageState, media
from prewire.emulator.serving import LocalServer

PROJECT = "prewire-fake"
GKE_PATH = re.compile(r"^/v1/projects/[^/]+/locations/(?P<l>[^/]+)/clusters/(?P<c>[^/:]+)$")
RUN_PATH = re.compile(r"^/v2/projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/services/(?P<s>[^/:]+)$")
BUILDS_PATH = re.compile(r"^/v1/projects/(?P<p>[^/]+)/builds(?:/(?P<id>[^/:]+))?$")
CLUSTERS_PATH = re.compile(r"^/v1/projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/clusters$")
IAM_PATH = re.compile(
    r"^/v1/projects/[^/]+/serviceAccounts/(?P<email>[^/:]+)"
    r"(?P<keys>/keys(?:/(?P<key>[^/:]+))?)?(?::(?P<verb>[a-z]+))?$"
)
STORAGE_PATH = re.compile(
    r"^/(?:(?P<kind>upload|download)/)?storage/v1/b/(?P<b>[^/]+)(?:/o(?:/(?P<o>.+))?)?$"
)
_ZONE = r"^/compute/v1/projects/(?P<p>[^/]+)/zones/(?P<z>[^/]+)"
ROUTES = (
    ("GET", re.compile(r"^/compute/v1/projects/(?P<p>[^/]+)/aggregated/disks$"), "aggregated"),
    (
        "GET",
        re.compile(r"^/compute/v1/projects/(?P<p>[^/]+)/aggregated/instances$"),
        "aggregated_instances",
    ),
    ("GET", re.compile(_ZONE + r"/instances/(?P<i>[^/]+)$"), "instance"),
    (
        "POST",
        re.compile(_ZONE + r"/instances/(?P<i>[^/]+)/(?P<verb>[a-zA-Z]+)$"),
        "instance_action",
    ),
    ("GET", re.compile(_ZONE + r"/disks/(?P<d>[^/]+)$"), "disk"),
    ("POST", re.compile(_ZONE + r"/disks/(?P<d>[^/]+)/createSnapshot$"), "snapshot_create"),
    (
        "GET",
        re.compile(r"^/compute/v1/projects/(?P<p>[^/]+)/global/snapshots/(?P<s>[^/]+)$"),
        "snapshot",
    ),
    ("GET", re.compile(r"^/compute/v1/projects/(?P<p>[^/]+)/global/firewalls$"), "firewalls"),
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
        self.reset()
        self.kubernetes = KubernetesApi(lambda: self.gke)
        self._server = LocalServer(self._app, service="gcp")

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeGcp:
        self.url = self._server.start().url
        self.kubernetes.start()
        return self

    def stop(self) -> None:
        self.kubernetes.stop()
        self._server.stop()

    def reset(self) -> None:
        """Every service's state, empty (the servers keep running)."""
        self.compute = ComputeState(self.project)
        self.storage = StorageState()
        self.iam = IamState(self.project)
        self.logging = LoggingState()
        self.gke = GkeState(self.project)
        self.listings = ListingState(self.project)
        self.run = RunState(self.project)
        self.cloud_build = CloudBuildState(self.project, self.compute, self.storage)
        self.requests: list[tuple[str, str]] = []

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
            if request.path.startswith(("/storage/", "/upload/storage/", "/download/storage/")):
                status, headers, body = self._storage(request)
            elif GKE_PATH.match(request.path) and request.method == "GET":
                found = GKE_PATH.match(request.path)
                assert found is not None
                payload = self.gke.cluster(found.group("l"), found.group("c"))
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif (found := CLUSTERS_PATH.match(request.path)) and request.method == "GET":
                self.listings.answer(f"/v1/projects/{found.group('p')}", {})  # the project's
                payload = self.gke.list_clusters(found.group("l"))
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif (found := RUN_PATH.match(request.path)) and request.method == "GET":
                self.listings.answer(f"/v1/projects/{found.group('p')}", {})  # the project's
                payload = self.run.service(found.group("l"), found.group("s"))
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif found := BUILDS_PATH.match(request.path):
                payload = self._build(request.method, found, request.get_data())
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif self.listings.serves(request.path) and request.method in ("GET", "POST"):
                query = {k: str(v) for k, v in request.args.items()}
                payload = self.listings.answer(request.path, query)
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif request.path == "/v2/entries:list" and request.method == "POST":
                payload = self.logging.list_entries(json.loads(request.get_data() or b"{}"))
                status, headers, body = 200, {}, json.dumps(payload).encode()
            elif IAM_PATH.match(request.path):
                payload = self._iam(request.method, request.path, request.args)
                status, headers, body = 200, {}, json.dumps(payload).encode()
            else:
                payload = self._compute(
                    request.method, request.path, request.args, request.get_data()
                )
                status, headers, body = 200, {}, json.dumps(payload).encode()
        except GcpError as error:
            status, headers, body = error.code, {}, json.dumps(error.body()).encode()
        content_type = headers.pop("Content-Type", "application/json")
        response = Response(body, status=status, headers=headers, content_type=content_type)
        return list(response(environ, start_response))

    def _compute(self, method: str, path: str, args: Any, data: bytes) -> dict[str, Any]:
        for verb, pattern, name in ROUTES:
            found = pattern.match(path)
            if verb != method or not found:
                continue
            if found.group("p") != self.project:
                raise GcpError(
                    403, "PERMISSION_DENIED", f"project {found.group('p')} is not this fake's"
                )
            query = {k: str(v) for k, v in args.items()}
            body = json.loads(data or b"{}")
            if name == "aggregated":
                return self.compute.aggregated_disks(str(args.get("filter", "")))
            if name == "aggregated_instances":
                return self.compute.aggregated_instances()
            if name == "instance":
                return self.compute.instance(found.group("z"), found.group("i"))
            if name == "instance_action":
                return self.compute.instance_action(
                    found.group("z"), found.group("i"), found.group("verb"), query, body
                )
            if name == "disk":
                return self.compute.disk(found.group("z"), found.group("d"))
            if name == "snapshot_create":
                return self.compute.create_snapshot(found.group("z"), found.group("d"), body)
            if name == "snapshot":
                return self.compute.snapshot(found.group("s"))
            if name == "firewalls":
                return self.compute.firewall_list()
            if name == "add_policies":
                return self.compute.add_resource_policies(found.group("z"), found.group("d"), body)
            return self.compute.zone_operation(found.group("z"), found.group("o"))
        raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} {path}")

    def _build(self, method: str, found: re.Match[str], data: bytes) -> dict[str, Any]:
        self.listings.answer(f"/v1/projects/{found.group('p')}", {})  # the project's
        if method == "POST" and found.group("id") is None:
            return self.cloud_build.create(json.loads(data or b"{}"))
        if method == "GET" and found.group("id"):
            return self.cloud_build.get(found.group("id"))
        raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} builds")

    def _iam(self, method: str, path: str, args: Any) -> dict[str, Any]:
        found = IAM_PATH.match(path)
        assert found is not None
        email, key, verb = found.group("email"), found.group("key"), found.group("verb")
        if method == "GET" and found.group("keys") and not key:
            return self.iam.list_keys(email, list(args.getlist("keyTypes")))
        if method == "GET" and not found.group("keys"):
            return self.iam.account(email)
        if method == "POST" and verb in ("disable", "enable"):
            if key:
                return self.iam.set_key_disabled(email, key, verb == "disable")
            return self.iam.set_disabled(email, verb == "disable")
        raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} {path}")

    def _storage(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        store, method, path = self.storage, request.method, request.path
        query = {k: str(v) for k, v in request.args.items()}
        if path == "/storage/v1/b" and method == "GET":
            items = [store.buckets[n].resource() for n in sorted(store.buckets)]
            return 200, {}, json.dumps({"kind": "storage#buckets", "items": items}).encode()
        found = STORAGE_PATH.match(path)
        if found is None:
            raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} {path}")
        kind, bucket, name = found.group("kind"), found.group("b"), found.group("o")

        def answer(body: dict[str, Any], status: int = 200) -> tuple[int, dict[str, str], bytes]:
            return status, {}, json.dumps(body).encode()

        if kind == "upload" and method == "POST" and query.get("uploadType") == "multipart":
            return answer(store.multipart(bucket, request.content_type, request.get_data(), query))
        if kind == "upload" and method == "POST" and query.get("uploadType") == "resumable":
            metadata = json.loads(request.get_data() or b"{}")
            upload_id = store.start_resumable(bucket, metadata, query)
            location = (
                f"{self.url}/upload/storage/v1/b/{bucket}/o"
                f"?uploadType=resumable&upload_id={upload_id}"
            )
            return 200, {"Location": location}, b""
        if kind == "upload" and method == "PUT":
            status, headers, body = store.resumable_chunk(
                query.get("upload_id", ""),
                request.get_data(),
                request.headers.get("Content-Range", ""),
            )
            return status, headers, json.dumps(body).encode() if body else b""
        if name is None and method == "GET":
            return answer(
                store.listing(bucket, query)
                if path.endswith("/o")
                else store.bucket(bucket).resource()
            )
        if name is not None and method == "GET":
            owner, blob = store.get(bucket, name)
            if kind == "download" or query.get("alt") == "media":
                return media(blob, request.headers.get("Range"))
            return answer(blob.resource(bucket, owner.retention_seconds))
        if name is not None and method == "PATCH":
            return answer(store.patch(bucket, name, json.loads(request.get_data() or b"{}")))
        if name is not None and method == "DELETE":
            store.delete(bucket, name)
            return 204, {}, b""
        raise GcpError(501, "UNIMPLEMENTED", f"the fake does not implement {method} {path}")
