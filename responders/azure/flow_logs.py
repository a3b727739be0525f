"""A VM's VNet flow records in the case window, copied byte for byte from flow log storage.

Network Watcher writes each flow log's records as one blob per hour and per interface, in the
flow log's storage account (documented layout):

    insights-logs-flowlogflowevent/flowLogResourceID=/<FLOW LOG ID, upper case>/
        y=YYYY/m=MM/d=DD/h=HH/m=00/macAddress=<MAC, 12 hex digits>/PT1H.json

The flow logs that cover the VM are those whose target is one of its interfaces, their subnets or
their virtual networks. Each hour blob of each interface that overlaps the window is kept whole
(its hash is that of the stored bytes, so a reviewer can compare it with the source blob), under
`flow-logs/<mac>/<hour>.json`. Azure rewrites an hour's blob while the hour lasts: a copy taken
during it holds the records up to that moment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.store import account_blob_endpoint
from responders.runtime import Step

CONTAINER = "insights-logs-flowlogflowevent"
PERMISSIONS = (
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/networkWatchers/read",
    "Microsoft.Network/networkWatchers/flowLogs/read",
    "Microsoft.Storage/storageAccounts/read",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
)
HOUR_BLOB = re.compile(
    r"/y=(?P<y>\d{4})/m=(?P<mo>\d{2})/d=(?P<d>\d{2})/h=(?P<h>\d{2})/m=00/"
    r"macAddress=(?P<mac>[0-9A-Fa-f]{12})/PT1H\.json$"
)


@dataclass(frozen=True)
class Interface:
    mac: str
    """Twelve upper-case hex digits, as the blob path writes it."""
    covered_by: frozenset[str]
    """Lower-case ids a flow log may target to cover it: the interface, its subnets, VNets."""


def interfaces(case: AzureCase, nic_ids: Iterable[str]) -> list[Interface]:
    found = []
    for nic_id in nic_ids:
        ref = ids.parse(nic_id, "Microsoft.Network/networkInterfaces")
        nic = case.clients.network.network_interfaces.get(ref.resource_group, ref.name)
        subnets = [
            str(c.subnet.id) for c in nic.ip_configurations or [] if c.subnet and c.subnet.id
        ]
        vnets = [s.split("/subnets/")[0] for s in subnets]
        mac = (nic.mac_address or "").replace("-", "").replace(":", "").upper()
        if mac:
            found.append(Interface(mac, frozenset(i.lower() for i in [nic_id, *subnets, *vnets])))
    return found


def covering_flow_logs(case: AzureCase, location: str, targets: set[str]) -> list[Any]:
    """The enabled flow logs of the location's network watchers that target one of `targets`."""
    covering = []
    for watcher in case.clients.network.network_watchers.list_all():
        if str(watcher.location).lower() != location.lower():
            continue
        group = ids.parse(str(watcher.id), "Microsoft.Network/networkWatchers").resource_group
        for flow_log in case.clients.network.flow_logs.list(group, str(watcher.name)):
            target = str(flow_log.target_resource_id or "").lower()
            if target in targets and flow_log.enabled is not False:
                covering.append(flow_log)
    return covering


def _hour_of(name: str) -> tuple[datetime, str] | None:
    found = HOUR_BLOB.search(name)
    if found is None:
        return None
    hour = datetime(int(found["y"]), int(found["mo"]), int(found["d"]), int(found["h"]), tzinfo=UTC)
    return hour, found["mac"].upper()


def collect_flow_logs(case: AzureCase, vm: dict[str, Any], nic_ids: list[str], step: Step) -> int:
    """Copies the VM's hour blobs in the window into the case; returns how many."""
    nics = interfaces(case, nic_ids)
    if not nics:
        step.warn("no network interface with a MAC address: no flow records to collect")
        return 0
    targets = set().union(*(n.covered_by for n in nics))
    flow_logs = covering_flow_logs(case, str(vm.get("location", "")), targets)
    if not flow_logs:
        step.warn("no flow log covers the VM's interfaces, subnets or networks")
        return 0
    macs = {n.mac for n in nics}
    start, end = case.options.window()
    copied = 0
    for flow_log in flow_logs:
        container = case.clients.blob_service(
            account_blob_endpoint(case.clients, str(flow_log.storage_id))
        ).get_container_client(CONTAINER)
        prefix = f"flowLogResourceID={str(flow_log.id).upper()}/"
        for blob in container.list_blobs(name_starts_with=prefix):
            when = _hour_of(blob.name)
            if when is None or when[1] not in macs:
                continue
            hour, mac = when
            if hour + timedelta(hours=1) <= start or hour > end:
                continue
            data = container.download_blob(blob.name).readall()
            case.save(
                step,
                f"flow-logs/{mac}/{hour:%Y-%m-%dT%H}.json",
                data,
                f"{flow_log.name}: {CONTAINER}/{blob.name}",
            )
            copied += 1
    return copied
