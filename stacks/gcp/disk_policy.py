"""Attaching the snapshot schedule to every disk that carries the snapshot label.

GCP selects disks for a schedule only by explicit attachment, and no Pulumi resource lists
disks by label. This dynamic resource does both at deploy time with the deployer's credentials:
it lists the project's disks carrying the label and attaches the schedule to those without it.
Its diff lists them again, so every `pulumi up` (or preview) picks up newly labelled disks. A
disk can hold one snapshot schedule only: a disk that already has another one is reported and
left alone. Removing the resource detaches nothing (fewer snapshots is never the safe side).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.dynamic

from responders.gcp.session import GcpClients


@dataclass
class Attached:
    attached: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """disk -> why it was left alone."""

    @property
    def covered(self) -> list[str]:
        return sorted(self.attached + self.already)


def labelled_disks(clients: GcpClients, label: tuple[str, str]) -> dict[str, list[str]]:
    """`zones/<zone>/disks/<name>` -> its resource policy URLs, for disks carrying `label`."""
    key, value = label
    found: dict[str, list[str]] = {}
    query = {"project": clients.project, "filter": f'labels.{key} = "{value}"'}
    pages = clients.disks.aggregated_list(request=query)
    for scope, listed in pages:
        for disk in listed.disks:
            found[f"{scope}/disks/{disk.name}"] = list(disk.resource_policies)
    return found


def attach_schedule(clients: GcpClients, label: tuple[str, str], policy_url: str) -> Attached:
    result = Attached()
    for disk, policies in sorted(labelled_disks(clients, label).items()):
        if attached_to(policies, policy_url):
            result.already.append(disk)
            continue
        if policies:
            result.skipped[disk] = f"already on schedule {policies[0].rsplit('/', 1)[-1]}"
            continue
        zone, name = disk.split("/")[1], disk.rsplit("/", 1)[-1]
        operation = clients.disks.add_resource_policies(
            project=clients.project,
            zone=zone,
            disk=name,
            disks_add_resource_policies_request_resource={"resource_policies": [policy_url]},
        )
        clients.wait_zone(zone, operation)
        result.attached.append(disk)
    return result


def attached_to(policies: list[str], policy_url: str) -> bool:
    """Whether a disk's resource policies include this one (URLs or paths, either form)."""
    return any(p.endswith(_policy_path(policy_url)) for p in policies)


def _policy_path(url: str) -> str:
    """The `regions/<r>/resourcePolicies/<name>` tail of a policy URL or path."""
    return url[url.index("regions/") :] if "regions/" in url else url


class _Attacher(pulumi.dynamic.ResourceProvider):
    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        label = (props["label_key"], props["label_value"])
        done = attach_schedule(GcpClients(props["project"]), label, props["policy"])
        for disk, reason in done.skipped.items():
            pulumi.log.warn(f"snapshot schedule not attached to {disk}: {reason}")
        return {**props, "disks": done.covered, "skipped": done.skipped}

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(
            id_=f"{props['project']}/{props['policy']}", outs=self._apply(props)
        )

    def update(
        self, id: str, old: dict[str, Any], new: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(outs=self._apply(new))

    def diff(self, id: str, old: dict[str, Any], new: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        label = (new["label_key"], new["label_value"])
        now = sorted(labelled_disks(GcpClients(new["project"]), label))
        inputs = ("project", "policy", "label_key", "label_value")
        changed = any(old.get(k) != new.get(k) for k in inputs) or now != sorted(
            set(old.get("disks") or []) | set(old.get("skipped") or {})
        )
        return pulumi.dynamic.DiffResult(changes=changed)

    def delete(self, id: str, props: dict[str, Any]) -> None:
        return None  # detaching would only mean fewer snapshots


class LabelledDiskSchedule(pulumi.dynamic.Resource):
    def __init__(
        self,
        name: str,
        *,
        project: str,
        label: tuple[str, str],
        policy: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _Attacher(),
            name,
            {
                "project": project,
                "label_key": label[0],
                "label_value": label[1],
                "policy": policy,
                "disks": None,
                "skipped": None,
            },
            opts,
        )
