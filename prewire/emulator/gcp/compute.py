"""The Compute Engine half of the GCP fake: instances, disks, snapshots, firewalls and the
zonal operations that change them.

Resources are kept as the Compute REST API returns them (discovery document `compute.v1`).
Served: disks `aggregatedList` (with a `labels.<key> = "<value>"` filter), `get`,
`addResourcePolicies`, `createSnapshot`; instances `get`, `setTags` and `setLabels` (fingerprints
checked, as GCP does), `deleteAccessConfig`, `addAccessConfig`, `setDeletionProtection`,
`setDiskAutoDelete`; snapshots `get`; firewalls `list`; zone operations that are RUNNING on
their first read and DONE afterwards, so clients really wait. Nothing here stops, resets or
deletes an instance: those calls answer 501, and the request log shows they were tried.
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
    instances: dict[tuple[str, str], Json] = field(default_factory=dict)
    snapshots: dict[str, Json] = field(default_factory=dict)
    firewalls: dict[str, Json] = field(default_factory=dict)
    operations: dict[str, Json] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
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

    def add_instance(
        self,
        zone: str,
        name: str,
        network: str,
        *,
        tags: list[str] | None = None,
        external_ip: str | None = "203.0.113.10",
        disk_names: tuple[str, ...] = (),
        service_account: str | None = None,
    ) -> Json:
        disks = [self.disks.get((zone, d)) or self.add_disk(zone, d) for d in disk_names]
        interface: Json = {
            "name": "nic0",
            "network": f"{BASE}/{network}",
            "networkIP": "10.0.0.12",
            "fingerprint": "nicfp0",
            "accessConfigs": [],
        }
        if external_ip:
            interface["accessConfigs"].append(
                {
                    "name": "External NAT",
                    "type": "ONE_TO_ONE_NAT",
                    "natIP": external_ip,
                    "networkTier": "PREMIUM",
                }
            )
        instance = {
            "kind": "compute#instance",
            "id": str(5000 + next(self._ids)),
            "name": name,
            "zone": f"{BASE}/projects/{self.project}/zones/{zone}",
            "status": "RUNNING",
            "tags": {"items": list(tags or []), "fingerprint": "tagfp0"},
            "labels": {},
            "labelFingerprint": "labelfp0",
            "deletionProtection": False,
            "networkInterfaces": [interface],
            "disks": [
                {
                    "deviceName": d["name"],
                    "source": d["selfLink"],
                    "boot": index == 0,
                    "autoDelete": True,
                    "index": index,
                }
                for index, d in enumerate(disks)
            ],
            "serviceAccounts": [
                {
                    "email": service_account,
                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                }
            ]
            if service_account
            else [],
            "selfLink": f"{BASE}/projects/{self.project}/zones/{zone}/instances/{name}",
        }
        self.instances[(zone, name)] = instance
        return instance

    def add_firewall(self, name: str, body: Json) -> Json:
        rule = {"kind": "compute#firewall", "name": name, **body}
        rule["selfLink"] = f"{BASE}/projects/{self.project}/global/firewalls/{name}"
        self.firewalls[name] = rule
        return rule

    # -- API ------------------------------------------------------------------------------------
    def instance(self, zone: str, name: str) -> Json:
        found = self.instances.get((zone, name))
        if found is None:
            raise GcpError(
                404,
                "NOT_FOUND",
                _missing(f"projects/{self.project}/zones/{zone}/instances/{name}"),
            )
        return found

    def disk(self, zone: str, name: str) -> Json:
        return self._disk(zone, name)

    def instance_action(
        self, zone: str, name: str, verb: str, query: dict[str, str], body: Json
    ) -> Json:
        with self.lock:
            instance = self.instance(zone, name)
            if verb == "setTags":
                if body.get("fingerprint") != instance["tags"]["fingerprint"]:
                    raise GcpError(
                        412,
                        "FAILED_PRECONDITION",
                        "Supplied fingerprint does not match current metadata fingerprint.",
                    )
                instance["tags"] = {
                    "items": list(body.get("items") or []),
                    "fingerprint": f"tagfp{next(self._ids)}",
                }
            elif verb == "setLabels":
                if body.get("labelFingerprint") != instance["labelFingerprint"]:
                    raise GcpError(
                        412,
                        "FAILED_PRECONDITION",
                        "Labels fingerprint either invalid or resource labels have changed",
                    )
                instance["labels"] = dict(body.get("labels") or {})
                instance["labelFingerprint"] = f"labelfp{next(self._ids)}"
            elif verb == "deleteAccessConfig":
                interface = self._interface(instance, query.get("networkInterface", ""))
                before = len(interface["accessConfigs"])
                interface["accessConfigs"] = [
                    c
                    for c in interface["accessConfigs"]
                    if c.get("name") != query.get("accessConfig")
                ]
                if len(interface["accessConfigs"]) == before:
                    raise GcpError(
                        400, "INVALID_ARGUMENT", f"no access config {query.get('accessConfig')!r}"
                    )
            elif verb == "addAccessConfig":
                interface = self._interface(instance, query.get("networkInterface", ""))
                if interface["accessConfigs"]:
                    raise GcpError(
                        400, "INVALID_ARGUMENT", "the interface already has an access config"
                    )
                interface["accessConfigs"].append(
                    {**body, "natIP": body.get("natIP") or "203.0.113.99"}
                )
            elif verb == "setDeletionProtection":
                instance["deletionProtection"] = query.get("deletionProtection", "true") == "true"
            elif verb == "setDiskAutoDelete":
                attached = [
                    d for d in instance["disks"] if d["deviceName"] == query.get("deviceName")
                ]
                if not attached:
                    raise GcpError(400, "INVALID_ARGUMENT", f"no disk {query.get('deviceName')!r}")
                attached[0]["autoDelete"] = query.get("autoDelete") == "true"
            else:
                raise GcpError(
                    501, "UNIMPLEMENTED", f"the fake does not implement instances.{verb}"
                )
            return self._operation(zone, verb, instance["selfLink"])

    def create_snapshot(self, zone: str, disk_name: str, body: Json) -> Json:
        with self.lock:
            disk = self._disk(zone, disk_name)
            name = str(body.get("name") or "")
            if name in self.snapshots:
                raise GcpError(
                    409,
                    "ALREADY_EXISTS",
                    f"The resource '{self._global('snapshots', name)}' already exists",
                )
            self.snapshots[name] = {
                "kind": "compute#snapshot",
                "id": str(9000 + next(self._ids)),
                "name": name,
                "status": "READY",
                "sourceDisk": disk["selfLink"],
                "diskSizeGb": disk["sizeGb"],
                "labels": dict(body.get("labels") or {}),
                "storageLocations": list(body.get("storageLocations") or ["eu"]),
                "selfLink": f"{BASE}/projects/{self.project}/global/snapshots/{name}",
            }
            return self._operation(zone, "createSnapshot", disk["selfLink"])

    def snapshot(self, name: str) -> Json:
        found = self.snapshots.get(name)
        if found is None:
            raise GcpError(
                404,
                "NOT_FOUND",
                f"The resource 'projects/{self.project}/global/snapshots/{name}' was not found",
            )
        return found

    def firewall_list(self) -> Json:
        return {
            "kind": "compute#firewallList",
            "items": [self.firewalls[n] for n in sorted(self.firewalls)],
        }

    def _global(self, collection: str, name: str) -> str:
        return f"projects/{self.project}/global/{collection}/{name}"

    @staticmethod
    def _interface(instance: Json, name: str) -> Json:
        for interface in instance["networkInterfaces"]:
            if interface["name"] == name:
                return interface  # type: ignore[no-any-return]
        raise GcpError(400, "INVALID_ARGUMENT", f"no network interface {name!r}")

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

    def aggregated_instances(self) -> Json:
        items: dict[str, Json] = {}
        for (zone, _), instance in sorted(self.instances.items()):
            items.setdefault(f"zones/{zone}", {"instances": []})["instances"].append(instance)
        return {"kind": "compute#instanceAggregatedList", "items": items}

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


def _missing(path: str) -> str:
    return f"The resource '{path}' was not found"


def _full(policy: str) -> str:
    return policy if policy.startswith("https://") else f"{BASE}/{policy.lstrip('/')}"
