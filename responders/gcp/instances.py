"""Protect, isolate and release a GCE instance. Nothing here stops, resets or deletes.

Protection: deletion protection on the instance and auto-delete off on every attached disk, so
neither deleting the instance (by an attacker, a person or a managed instance group) nor its
scale-in loses the disks; both are recorded for the case.

Isolation: the quarantine network tag, which the stack's priority-0 deny-all ingress and egress
rules apply to, then every external access config removed (recorded with its address, type and
tier). GCP firewall rules are stateful: connections already established continue until idle,
so removing the external address is what breaks the attacker's existing sessions from outside;
internal sessions end when they idle out. Record the time and confirm with flow logs.
"""

from __future__ import annotations

import json
from typing import Any

from prewire.core.vocabulary import Cloud
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.discovery import QUARANTINE_TAG
from responders.gcp.permissions import PERMISSIONS
from responders.gcp.targets import describe
from responders.registry import action, perms
from responders.runtime import InputError, Status, Step

CASE_LABEL = "prewire-case"


def _change(case: GcpCase, ref: ids.InstanceRef, step: Step, method: str, **params: Any) -> None:
    """An instances.* change (only planned under --dry-run), waited for until its zone operation
    is done."""
    where = {"project": ref.project, "zone": ref.zone, "instance": ref.name}
    operation = step.change("compute", case.clients.instances, method, **where, **params)
    if operation is not None:
        case.clients.wait_zone(ref.zone, operation)


def protect(case: GcpCase, ref: ids.InstanceRef, instance: dict[str, Any], step: Step) -> bool:
    """Deletion protection on, disk auto-delete off; returns whether anything changed."""
    changed = False
    if not instance.get("deletionProtection"):
        step.state["deletion_protection"] = False
        operation = step.change(
            "compute",
            case.clients.instances,
            "set_deletion_protection",
            # deletion_protection is a field of the request only, not a flattened argument.
            request={
                "project": ref.project,
                "zone": ref.zone,
                "resource": ref.name,
                "deletion_protection": True,
            },
        )
        if operation is not None:
            case.clients.wait_zone(ref.zone, operation)
        changed = True
    kept = []
    for disk in instance.get("disks") or []:
        if disk.get("autoDelete"):
            _change(
                case,
                ref,
                step,
                "set_disk_auto_delete",
                device_name=disk["deviceName"],
                auto_delete=False,
            )
            kept.append(disk["deviceName"])
    if kept:
        step.state["auto_delete_disabled"] = kept
        changed = True
    if changed:
        case.forget(str(ref))
        step.note(f"deletion protection on; {len(kept)} disk(s) kept when the instance goes")
    return changed


@action(
    Cloud.GCP,
    "protect-instance",
    summary="Deletion protection on the instance, auto-delete off on its disks",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["protect-instance"]),
    destructive=False,
)
def protect_instance(case: GcpCase, target: str, step: Step) -> Status:
    ref = ids.instance(target)
    changed = protect(case, ref, describe(case, ref), step)
    if not changed:
        step.note("already protected")
    return Status.CHANGED if changed else Status.UNCHANGED


def _require_quarantine(case: GcpCase, instance: dict[str, Any]) -> None:
    for interface in instance.get("networkInterfaces") or []:
        network = ids.last(interface.get("network", ""))
        directions = case.prewired.quarantined_networks.get(network, set())
        missing = {"INGRESS", "EGRESS"} - directions
        if missing:
            raise InputError(
                f"network {network} has no deny-all {' or '.join(sorted(missing)).lower()} "
                f"rule for the {QUARANTINE_TAG} tag: deploy the stack with the network in "
                "prewire:gcp.networks"
            )


def _set_tags(
    case: GcpCase, ref: ids.InstanceRef, instance: dict[str, Any], items: list[str], step: Step
) -> None:
    fingerprint = (instance.get("tags") or {}).get("fingerprint", "")
    _change(case, ref, step, "set_tags", tags_resource={"items": items, "fingerprint": fingerprint})


@action(
    Cloud.GCP,
    "isolate-instance",
    summary="Protect, then the quarantine tag (deny-all firewall) and no external addresses",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["isolate-instance"], *PERMISSIONS["protect-instance"]),
    destructive=True,
)
def isolate_instance(case: GcpCase, target: str, step: Step) -> Status:
    ref = ids.instance(target)
    instance = describe(case, ref)
    _require_quarantine(case, instance)
    changed = protect(case, ref, instance, step)
    instance = describe(case, ref)
    tags = list((instance.get("tags") or {}).get("items") or [])
    if QUARANTINE_TAG not in tags:
        # Recorded before the change, so a failure halfway still leaves what release needs.
        step.state["tags_before"] = tags
        _set_tags(case, ref, instance, [*tags, QUARANTINE_TAG], step)
        changed = True
    removed = step.state.setdefault("access_configs", [])
    for interface in instance.get("networkInterfaces") or []:
        for config in interface.get("accessConfigs") or []:
            removed.append({"networkInterface": interface["name"], **config})
            _change(
                case,
                ref,
                step,
                "delete_access_config",
                access_config=config["name"],
                network_interface=interface["name"],
            )
    if not removed:
        del step.state["access_configs"]
    case.forget(str(ref))
    if changed or removed:
        step.state["contained"] = True
        step.note(f"quarantine tag on; {len(removed)} external address(es) removed")
        return Status.CHANGED
    step.note("already isolated")
    return Status.UNCHANGED


def _access_config(body: dict[str, Any]) -> Any:
    """The recorded access config (REST JSON names) as the client's message."""
    from google.cloud import compute_v1

    return compute_v1.AccessConfig.from_json(json.dumps(body), ignore_unknown_fields=True)


def _recorded(case: GcpCase, target: str) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """The tags before the first isolation and every access config isolations removed."""
    tags: list[str] | None = None
    configs: list[dict[str, Any]] = []
    for entry in case.release_history("release-instance", target, "isolate-instance"):
        if tags is None and "tags_before" in entry.state:
            tags = list(entry.state["tags_before"])
        configs += entry.state.get("access_configs", [])
    return tags, configs


@action(
    Cloud.GCP,
    "release-instance",
    summary="Remove the quarantine tag and restore the recorded external access (protection stays)",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["release-instance"]),
    destructive=True,
    releases=True,  # break glass only
)
def release_instance(case: GcpCase, target: str, step: Step) -> Status:
    ref = ids.instance(target)
    tags_before, configs = _recorded(case, target)
    if tags_before is None and not configs:
        raise InputError(f"case {case.case_id} has no recorded isolation of {target}")
    instance = describe(case, ref)
    changed = False
    tags = list((instance.get("tags") or {}).get("items") or [])
    if QUARANTINE_TAG in tags and QUARANTINE_TAG not in (tags_before or []):
        _set_tags(case, ref, instance, [t for t in tags if t != QUARANTINE_TAG], step)
        changed = True
    present = {
        i["name"]: bool(i.get("accessConfigs")) for i in instance.get("networkInterfaces") or []
    }
    for config in configs:
        interface = config["networkInterface"]
        if present.get(interface):
            continue
        body: dict[str, Any] = {
            k: config[k] for k in ("name", "type", "networkTier") if k in config
        }
        if config.get("natIP"):
            body["natIP"] = config["natIP"]  # a static address comes back; an ephemeral one may not
        _change(
            case,
            ref,
            step,
            "add_access_config",
            network_interface=interface,
            access_config_resource=_access_config(body),
        )
        present[interface] = True
        changed = True
    case.forget(str(ref))
    if not changed:
        step.note("already released")
        return Status.UNCHANGED
    step.note("quarantine tag removed, external access restored; deletion protection stays")
    return Status.CHANGED
