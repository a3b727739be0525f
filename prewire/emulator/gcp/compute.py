"""The Compute Engine half of the GCP fake: disks and the zonal operations that change them.

Resources are kept as the Compute REST API returns them (discovery document `compute.v1`):
`aggregatedList` with a `labels.<key> = "<value>"` filter, `addResourcePolicies`, and zone
operations that are RUNNING on their first read and DONE afterwards, so clients really wait.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
BASE = "https://compute.googleapis.com/compute/v1"
LABEL_FILTER = re.compile(r'^labels\.([-_a-z0-9]+)\s*=\s*"?([-_a-z0-9]*)"?$')


class GcpError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message

    def body(self) -> Json:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": self.status,
                "errors": [{"reason": self.status.lower(), "message": self.message}],
            }
        }


@dataclass
class ComputeState:
    project: str
    disks: dict[tuple[str, str], Json] = field(default_factory=dict)  # (zone, name) -> disk
    operations: dict[str, Json] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- seeding -----------------------------------------------------------------------------
    def add_disk(
        self, zone: str, name: str, labels: dict[str, str] | None = None, size_gb: int = 10
    ) -> Json:
        disk = {
            "kind": "compute#disk",
            "id": str(1000 + next(self._ids)),
            "name": name,
            "zone": f"{BASE}/projects/{self.project}/zones/{zone}",
            "sizeGb": str(size_gb),
            "status": "READY",
            "labels": dict(labels or {}),
            "resourcePolicies": [],
            "selfLink": f"{BASE}/projects/{self.project}/zones/{zone}/disks/{name}",
        }
        self.disks[(zone, name)] = disk
        return disk

    # -- API ------------------------------------------------------------------------------------
    def aggregated_disks(self, expression: str) -> Json:
        matcher = LABEL_FILTER.match(expression.strip()) if expression else None
        if expression and matcher is None:
            raise GcpError(
                400, "INVALID_ARGUMENT", f"the fake does not parse filter {expression!r}"
            )
        items: dict[str, Json] = {}
        for (zone, _), disk in sorted(self.disks.items()):
            if matcher and disk["labels"].get(matcher.group(1)) != matcher.group(2):
                continue
            items.setdefault(f"zones/{zone}", {"disks": []})["disks"].append(disk)
        return {
            "kind": "compute#diskAggregatedList",
            "id": f"projects/{self.project}/aggregated/disks",
            "items": items,
        }

    def add_resource_policies(self, zone: str, name: str, body: Json) -> Json:
        disk = self._disk(zone, name)
        wanted = [str(p) for p in body.get("resourcePolicies") or []]
        schedules = [p for p in disk["resourcePolicies"] if p not in wanted]
        if schedules:
            raise GcpError(
                400, "INVALID_ARGUMENT", f"disk {name} already has snapshot schedule {schedules[0]}"
            )
        disk["resourcePolicies"] = sorted(
            set(disk["resourcePolicies"]) | {_full(p) for p in wanted}
        )
        return self._operation(zone, "addResourcePolicies", disk["selfLink"])

    def zone_operation(self, zone: str, name: str) -> Json:
        with self.lock:
            operation = self.operations.get(name)
            if operation is None or not operation["zone"].endswith(f"/zones/{zone}"):
                raise GcpError(404, "NOT_FOUND", f"operation {name} not found")
            self.polls[name] = self.polls.get(name, 0) + 1
            if self.polls[name] > 1:
                operation.update(status="DONE", progress=100)
            return dict(operation)

    def _disk(self, zone: str, name: str) -> Json:
        disk = self.disks.get((zone, name))
        if disk is None:
            raise GcpError(
                404,
                "NOT_FOUND",
                f"The resource 'projects/{self.project}/zones/{zone}/disks/{name}' was not found",
            )
        return disk

    def _operation(self, zone: str, kind: str, target: str) -> Json:
        name = f"operation-{next(self._ids)}"
        operation = {
            "kind": "compute#operation",
            "id": str(next(self._ids)),
            "name": name,
            "zone": f"{BASE}/projects/{self.project}/zones/{zone}",
            "operationType": kind,
            "targetLink": target,
            "status": "RUNNING",
            "progress": 0,
            "selfLink": f"{BASE}/projects/{self.project}/zones/{zone}/operations/{name}",
        }
        with self.lock:
            self.operations[name] = operation
        return dict(operation)


def _full(policy: str) -> str:
    return policy if policy.startswith("https://") else f"{BASE}/{policy.lstrip('/')}"
