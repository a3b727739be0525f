"""GCP clients for the stack's deploy-time calls and the responders, all pointed at one
endpoint (Google's, or a fake's), and waiting on operations the client library cannot.

compute_v1's own `operation.result()` polls through an operations client it builds with the
default endpoint, whatever endpoint the calling client was given; `wait_zone` polls through a
client built like the others instead, so it works against any endpoint.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

ENDPOINT_ENV = "PREWIRE_GCP_ENDPOINT"
OPERATION_TIMEOUT_SECONDS = 600.0


class OperationFailed(RuntimeError):
    pass


@dataclass
class GcpClients:
    project: str
    credentials: Any = None
    """None: Application Default Credentials."""
    endpoint: str | None = field(default_factory=lambda: os.environ.get(ENDPOINT_ENV))
    poll_seconds: float = 1.0
    _built: dict[str, Any] = field(default_factory=dict)

    def _options(self) -> Any:
        from google.api_core.client_options import ClientOptions

        return ClientOptions(api_endpoint=self.endpoint) if self.endpoint else None

    def _client(self, key: str, kind: Any) -> Any:
        if key not in self._built:
            self._built[key] = kind(credentials=self.credentials, client_options=self._options())
        return self._built[key]

    @property
    def disks(self) -> Any:
        from google.cloud import compute_v1

        return self._client("disks", compute_v1.DisksClient)

    @property
    def storage(self) -> Any:
        import google.cloud.storage as storage

        if "storage" not in self._built:
            self._built["storage"] = storage.Client(
                project=self.project, credentials=self.credentials, client_options=self._options()
            )
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
