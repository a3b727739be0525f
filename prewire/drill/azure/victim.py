"""The workload an Azure drill attacks, seeded into the local Azure fake after the stack is
deployed: the victim VM, its disks and network, its cluster and function, and what the attacker
left in the Activity Log and the flow logs."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prewire.drill.azure.account import (
    BLOB_DATA_READER,
    CONTRIBUTOR,
    LOCATION,
    READER,
    AzurePrewired,
    put_resource,
    resource_group,
    workloads,
)
from prewire.emulator.azure import FakeAzure
from responders.azure.aks_cluster import DIAGNOSTICS

ATTACKER = "203.0.113.77"


AKS_ATTACKER_POD = "xmrig-6b8c4"


VICTIM_MAC = "00-0D-3A-4C-1B-2E"


FLOW_LOG_CONTAINER = "insights-logs-flowlogflowevent"


@dataclass(frozen=True)
class AzureVictim:
    resource_group: str
    vm_id: str
    nic_id: str
    web_nsg_id: str
    disk_ids: tuple[str, str]
    system_principal: str
    user_identity_id: str
    user_principal: str
    role_assignment_ids: tuple[str, ...]
    cluster_id: str


def _identity(fake: FakeAzure, group: str, name: str) -> dict[str, Any]:
    return put_resource(
        fake,
        f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
        {"location": LOCATION, "properties": {}},
    )


def _assign(fake: FakeAzure, scope: str, role: str, principal: str) -> str:
    assignment = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    put_resource(
        fake,
        assignment,
        {
            "properties": {
                "roleDefinitionId": f"/subscriptions/{fake.subscription}/providers/"
                f"Microsoft.Authorization/roleDefinitions/{role}",
                "principalId": principal,
                "principalType": "ServicePrincipal",
            }
        },
    )
    return assignment


def disk_bytes(name: str, size: int) -> bytes:
    """Deterministic content for a fake disk (a VHD's worth of recognisable bytes)."""
    block = hashlib.sha256(name.encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def seed_workloads(fake: FakeAzure, prewired: AzurePrewired) -> str:
    """The cluster's state and audit rows in the stack's workspace; returns the cluster id."""
    _, cluster = workloads(fake.subscription)
    outputs = {command: f"# {command}\nitems: []\n" for command in DIAGNOSTICS}
    outputs["kubectl get pods --all-namespaces -o wide"] = (
        "NAMESPACE   NAME         READY   STATUS    IP           NODE\n"
        f"default     web-7d9f     1/1     Running   10.42.2.10   aks-nodes-0\n"
        f"default     {AKS_ATTACKER_POD}   1/1     Running   10.42.2.11   aks-nodes-0\n"
    )
    outputs["kubectl get clusterrolebindings,rolebindings --all-namespaces -o yaml"] = (
        "items:\n- kind: ClusterRoleBinding\n  metadata: {name: web-admin}\n"
        "  roleRef: {kind: ClusterRole, name: cluster-admin}\n"
        "  subjects:\n  - {kind: ServiceAccount, name: web, namespace: default}\n"
    )
    fake.services.cluster_commands[cluster.lower()] = {
        command: (0, text) for command, text in outputs.items()
    }
    now = datetime.now(UTC)
    tables = fake.log_tables.setdefault(prewired.workspace_customer_id, {})
    for table, verb in (("AKSAudit", "create"), ("AKSAuditAdmin", "patch")):
        tables[table] = [
            {
                "TimeGenerated": (now - timedelta(minutes=minutes)).isoformat(),
                "_ResourceId": resource.lower(),
                "Verb": verb,
                "RequestUri": "/api/v1/namespaces/default/pods/web/exec",
                "User": '{"username":"system:serviceaccount:default:web"}',
            }
            for minutes, resource in ((30, cluster), (20, cluster), (10, cluster + "-other"))
        ]
    return cluster


def seed_victim(fake: FakeAzure, drill: str, prewired: AzurePrewired) -> AzureVictim:
    cluster = seed_workloads(fake, prewired)
    group = resource_group(fake, f"victim-{drill}")
    web_nsg = put_resource(
        fake,
        f"{group}/providers/Microsoft.Network/networkSecurityGroups/web",
        {"location": LOCATION, "properties": {"securityRules": []}},
    )["id"]
    nic = put_resource(
        fake,
        f"{group}/providers/Microsoft.Network/networkInterfaces/web-{drill}-nic",
        {
            "location": LOCATION,
            "properties": {
                "networkSecurityGroup": {"id": web_nsg},
                "macAddress": VICTIM_MAC,
                "ipConfigurations": [
                    {
                        "name": "ipconfig1",
                        "properties": {
                            "privateIPAddress": "10.42.1.4",
                            "subnet": {"id": f"{workloads(fake.subscription)[0]}/subnets/web"},
                        },
                    }
                ],
            },
        },
    )["id"]
    disks = []
    for name, size, gigabytes in (("os", 3 * 1024 * 1024 + 512, 30), ("data", 1024 * 1024, 8)):
        disk = put_resource(
            fake,
            f"{group}/providers/Microsoft.Compute/disks/web-{drill}-{name}",
            {
                "location": LOCATION,
                "sku": {"name": "Premium_LRS"},
                "properties": {
                    "diskSizeGB": gigabytes,
                    "osType": "Linux" if name == "os" else None,
                },
            },
        )["id"]
        fake.services.content[disk.lower()] = disk_bytes(disk, size)
        disks.append(disk)
    user = _identity(fake, group, f"web-{drill}-identity")
    system_principal = str(uuid.uuid4())
    vm = put_resource(
        fake,
        f"{group}/providers/Microsoft.Compute/virtualMachines/web-{drill}",
        {
            "location": LOCATION,
            "identity": {
                "type": "SystemAssigned, UserAssigned",
                "principalId": system_principal,
                "tenantId": str(uuid.uuid4()),
                "userAssignedIdentities": {
                    user["id"]: {
                        "principalId": user["properties"]["principalId"],
                        "clientId": user["properties"]["clientId"],
                    }
                },
            },
            "properties": {
                "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                "storageProfile": {
                    "osDisk": {
                        "name": disks[0].rsplit("/", 1)[1],
                        "osType": "Linux",
                        "createOption": "FromImage",
                        "managedDisk": {"id": disks[0]},
                    },
                    "dataDisks": [
                        {
                            "lun": 0,
                            "name": disks[1].rsplit("/", 1)[1],
                            "createOption": "Empty",
                            "managedDisk": {"id": disks[1]},
                        }
                    ],
                },
                "networkProfile": {
                    "networkInterfaces": [{"id": nic, "properties": {"primary": True}}]
                },
                "vmId": str(uuid.uuid4()),
            },
        },
    )["id"]
    subscription = f"/subscriptions/{fake.subscription}"
    assignments = (
        _assign(fake, group, CONTRIBUTOR, system_principal),
        _assign(fake, subscription, BLOB_DATA_READER, system_principal),
        _assign(fake, group, READER, user["properties"]["principalId"]),
    )
    _attack_activity(fake, vm, disks, group)
    _flow_records(fake, web_nsg)
    return AzureVictim(
        group,
        vm,
        nic,
        web_nsg,
        (disks[0], disks[1]),
        system_principal,
        user["id"],
        user["properties"]["principalId"],
        assignments,
        cluster,
    )


def _flow_records(fake: FakeAzure, nsg: str) -> None:
    """The hour blob Network Watcher writes for the victim's interface (documented path and
    record format): a flow from the VM to the attacker's address, allowed by the web group."""
    network, _ = workloads(fake.subscription)
    [flow_log] = [
        f
        for f in fake.state.of_type("Microsoft.Network/networkWatchers/flowLogs")
        if f["properties"]["targetResourceId"].lower() == network.lower()
    ]
    account = fake.state.require(flow_log["properties"]["storageId"])
    put_resource(fake, f"{account['id']}/blobServices/default/containers/{FLOW_LOG_CONTAINER}", {})
    hour = (datetime.now(UTC) - timedelta(minutes=20)).replace(minute=0, second=0, microsecond=0)
    mac = VICTIM_MAC.replace("-", "")
    seen = int((datetime.now(UTC) - timedelta(minutes=20)).timestamp() * 1000)
    record = {
        "time": (hour + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "flowLogVersion": 4,
        "flowLogGUID": str(uuid.uuid4()),
        "macAddress": mac,
        "category": "FlowLogFlowEvent",
        "flowLogResourceID": flow_log["id"].upper(),
        "targetResourceID": network,
        "operationName": "FlowLogFlowEvent",
        "flowRecords": {
            "flows": [
                {
                    "aclID": str(uuid.uuid4()),
                    "flowGroups": [
                        {
                            "rule": f"{nsg}/securityRules/AllowInternetOutBound",
                            "flowTuples": [
                                f"{seen},10.42.1.4,{ATTACKER},49152,4444,6,O,B,NX,0,0,0,0",
                                f"{seen + 60000},10.42.1.4,{ATTACKER},49152,4444,6,O,E,NX,"
                                "61,48213,40,2210",
                            ],
                        }
                    ],
                }
            ]
        },
    }
    name = (
        f"flowLogResourceID={flow_log['id'].upper()}/y={hour:%Y}/m={hour:%m}/d={hour:%d}/"
        f"h={hour:%H}/m=00/macAddress={mac}/PT1H.json"
    )
    fake.blobs.put(account["name"], FLOW_LOG_CONTAINER, name, json.dumps({"records": [record]}))


def _attack_activity(fake: FakeAzure, vm: str, disks: list[str], group: str) -> None:
    caller = "attacker@contoso.example"
    for operation, resource in (
        ("Microsoft.Compute/virtualMachines/runCommand/action", vm),
        ("Microsoft.Compute/virtualMachines/extensions/write", vm),
        ("Microsoft.Compute/disks/beginGetAccess/action", disks[1]),
        ("Microsoft.Resources/deployments/write", group),
    ):
        fake.state.record_activity(operation, resource, caller, "Succeeded")
