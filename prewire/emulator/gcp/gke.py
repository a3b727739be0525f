"""The GKE half of the GCP fake: `clusters.get` on the Container API, and each cluster's
Kubernetes API served over HTTPS with the fake's own CA (reported as the cluster's
`masterAuth.clusterCaCertificate`, as GKE does), read-only: the objects and container logs seeded
per path (and query, for selectors and log options).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prewire.emulator.gcp.compute import GcpError
from prewire.emulator.serving import LocalServer

Json = dict[str, Any]


@dataclass
class GkeState:
    project: str
    clusters: dict[tuple[str, str], Json] = field(default_factory=dict)  # (location, name)
    objects: dict[str, Any] = field(default_factory=dict)
    """Kubernetes API path (with its query where it matters) -> JSON object, or text (logs)."""
    api_requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, auth

    def add_cluster(self, location: str, name: str, endpoint: str, ca_pem: bytes) -> Json:
        cluster = {
            "name": name,
            "location": location,
            "status": "RUNNING",
            "endpoint": endpoint,
            "masterAuth": {"clusterCaCertificate": base64.b64encode(ca_pem).decode()},
            "loggingConfig": {"componentConfig": {"enableComponents": ["SYSTEM_COMPONENTS"]}},
            "selfLink": f"https://container.googleapis.com/v1/projects/{self.project}/locations/"
            f"{location}/clusters/{name}",
        }
        self.clusters[(location, name)] = cluster
        return cluster

    def list_clusters(self, location: str) -> Json:
        """`locations/-` lists the clusters of every location."""
        found = [c for (at, _), c in sorted(self.clusters.items()) if location in ("-", at)]
        return {"clusters": found}

    def cluster(self, location: str, name: str) -> Json:
        found = self.clusters.get((location, name))
        if found is None:
            raise GcpError(
                404,
                "NOT_FOUND",
                f"Not found: projects/{self.project}/locations/{location}/clusters/{name}.",
            )
        return found


class KubernetesApi:
    """One HTTPS server answering every cluster's Kubernetes API reads from `GkeState`."""

    def __init__(self, state_of: Any) -> None:
        self.state_of = state_of  # a callable returning the current GkeState (reset-proof)
        self._server = LocalServer(self._app, tls=True, service="kubernetes")

    @property
    def endpoint(self) -> str:
        """host:port, as GKE reports a cluster's endpoint."""
        return self._server.host_port

    @property
    def certificate(self) -> Path | None:
        return self._server.certificate

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        import json

        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        state = self.state_of()
        state.api_requests.append(
            (request.method, request.path, request.headers.get("Authorization", ""))
        )
        found = None
        if request.method == "GET":  # selectors and log options are part of what is read
            found = state.objects.get(request.full_path.rstrip("?"))
        if isinstance(found, str):  # container logs are plain text
            response = Response(found, status=200, content_type="text/plain")
        elif found is None:
            body = {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
            response = Response(json.dumps(body), status=404, content_type="application/json")
        else:
            response = Response(json.dumps(found), status=200, content_type="application/json")
        return list(response(environ, start_response))
