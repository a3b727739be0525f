"""Cloud Run in the GCP fake: the Run Admin API v2 `services.get` collect-logs reads (the
service's runtime service account), with the response shape of Google's discovery document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prewire.emulator.gcp.compute import GcpError

Json = dict[str, Any]


@dataclass
class RunState:
    project: str
    services: dict[tuple[str, str], Json] = field(default_factory=dict)  # (location, name)

    def add_service(self, location: str, name: str, service_account: str) -> Json:
        path = f"projects/{self.project}/locations/{location}/services/{name}"
        service = {
            "name": path,
            "uid": f"{abs(hash(path)) % 10**12:012d}",
            "uri": f"https://{name}-abc123-ew.a.run.app",
            "template": {
                "serviceAccount": service_account,
                "containers": [{"image": f"europe-docker.pkg.dev/{self.project}/apps/{name}"}],
            },
            "latestReadyRevision": f"{path}/revisions/{name}-00001-abc",
        }
        self.services[(location, name)] = service
        return service

    def service(self, location: str, name: str) -> Json:
        found = self.services.get((location, name))
        if found is None:
            raise GcpError(
                404,
                "NOT_FOUND",
                f"Resource 'projects/{self.project}/locations/{location}/services/{name}' "
                "was not found",
            )
        return found
