"""An Azure subscription on the local fake: the prewired resources, and a victim workload.

`prewire_subscription` creates what the kit's Azure stack deploys for the responders (the
evidence storage account with its locked immutable container, the Log Analytics workspace, the
isolation network security group and the responder identity, each tagged `prewire:role`).
`seed_victim` adds a compromised workload: a VM with two disks holding bytes, a network
interface behind a web group, a system- and a user-assigned identity with role assignments,
Activity Log events, and an AKS cluster with command outputs and audit rows in the workspace.
Everything is created through the fake's ARM handlers, so its checks apply.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prewire.emulator.azure import FakeAzure
from responders.azure.aks_cluster import DIAGNOSTICS
from responders.azure.discovery import EVIDENCE_CONTAINER, ROLE_TAG, Role

LOCATION = "westeurope"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"


@dataclass(frozen=True)
class AzurePrewired:
    resource_group: str
    evidence_account_id: str
    workspace_id: str
    workspace_customer_id: str
    isolation_nsg_id: str
    responder_identity_id: str


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


def _put(fake: FakeAzure, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = fake.state.handle("PUT", resource_id, {}, body)
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def _group(fake: FakeAzure, name: str) -> str:
    group = f"/subscriptions/{fake.subscription}/resourceGroups/{name}"
    _put(fake, group, {"location": LOCATION})
    return group


def _identity(fake: FakeAzure, group: str, name: str, role: str | None = None) -> dict[str, Any]:
    principal = str(uuid.uuid4())
    tags = {ROLE_TAG: role} if role else {}
    return _put(
        fake,
        f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
        {
            "location": LOCATION,
            "tags": tags,
            "properties": {"principalId": principal, "clientId": str(uuid.uuid4())},
        },
    )


def prewire_subscription(fake: FakeAzure, retention_days: int = 30) -> AzurePrewired:
    fake.state.put(
        {
            "id": f"/subscriptions/{fake.subscription}",
            "subscriptionId": fake.subscription,
            "displayName": "prewire fake subscription",
            "state": "Enabled",
        }
    )
    group = _group(fake, "prewire-forensics")
    account_name = "prewireevidence" + hashlib.sha256(group.encode()).hexdigest()[:6]
    account = f"{group}/providers/Microsoft.Storage/storageAccounts/{account_name}"
    _put(
        fake,
        account,
        {
            "location": LOCATION,
            "kind": "StorageV2",
            "sku": {"name": "Standard_ZRS", "tier": "Standard"},
            "tags": {ROLE_TAG: Role.EVIDENCE_STORE.value},
            "properties": {
                "primaryEndpoints": {"blob": f"{fake.url}/{account_name}/"},
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "TLS1_2",
                "allowBlobPublicAccess": False,
            },
        },
    )
    container = f"{account}/blobServices/default/containers/{EVIDENCE_CONTAINER}"
    _put(fake, container, {"properties": {"publicAccess": "None"}})
    policy = f"{container}/immutabilityPolicies/default"
    _put(
        fake,
        policy,
        {
            "properties": {
                "immutabilityPeriodSinceCreationInDays": retention_days,
                "allowProtectedAppendWrites": True,
            }
        },
    )
    fake.state.handle("POST", f"{policy}/lock", {}, {})
    customer_id = str(uuid.uuid4())
    workspace = f"{group}/providers/Microsoft.OperationalInsights/workspaces/prewire-logs"
    _put(
        fake,
        workspace,
        {
            "location": LOCATION,
            "tags": {ROLE_TAG: Role.LOG_WORKSPACE.value},
            "properties": {"customerId": customer_id, "retentionInDays": retention_days},
        },
    )
    fake.log_tables[customer_id] = {}
    nsg = f"{group}/providers/Microsoft.Network/networkSecurityGroups/prewire-isolation-{LOCATION}"
    _put(
        fake,
        nsg,
        {
            "location": LOCATION,
            "tags": {ROLE_TAG: Role.ISOLATION_NSG.value},
            "properties": {"securityRules": _deny_all()},
        },
    )
    responder = _identity(fake, group, "prewire-responder", Role.RESPONDER_IDENTITY.value)
    return AzurePrewired(group, account, workspace, customer_id, nsg, responder["id"])


def _deny_all() -> list[dict[str, Any]]:
    return [
        {
            "name": f"deny-all-{direction.lower()}",
            "properties": {
                "priority": 100,
                "direction": direction,
                "access": "Deny",
                "protocol": "*",
                "sourceAddressPrefix": "*",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "*",
            },
        }
        for direction in ("Inbound", "Outbound")
    ]


def _assign(fake: FakeAzure, scope: str, role: str, principal: str) -> str:
    assignment = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    _put(
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


def seed_victim(fake: FakeAzure, drill: str, prewired: AzurePrewired) -> AzureVictim:
    group = _group(fake, f"victim-{drill}")
    web_nsg = _put(
        fake,
        f"{group}/providers/Microsoft.Network/networkSecurityGroups/web",
        {"location": LOCATION, "properties": {"securityRules": []}},
    )["id"]
    nic = _put(
        fake,
        f"{group}/providers/Microsoft.Network/networkInterfaces/web-{drill}-nic",
        {
            "location": LOCATION,
            "properties": {
                "networkSecurityGroup": {"id": web_nsg},
                "ipConfigurations": [
                    {"name": "ipconfig1", "properties": {"privateIPAddress": "10.42.1.4"}}
                ],
            },
        },
    )["id"]
    disks = []
    for name, size, gigabytes in (("os", 3 * 1024 * 1024 + 512, 30), ("data", 1024 * 1024, 8)):
        disk = _put(
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
    vm = _put(
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
    cluster = _seed_cluster(fake, group, drill, prewired)
    _attack_activity(fake, vm, disks, group)
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


def _seed_cluster(fake: FakeAzure, group: str, drill: str, prewired: AzurePrewired) -> str:
    cluster = _put(
        fake,
        f"{group}/providers/Microsoft.ContainerService/managedClusters/aks-{drill}",
        {"location": LOCATION, "properties": {"kubernetesVersion": "1.30.5", "dnsPrefix": drill}},
    )["id"]
    fake.services.cluster_commands[cluster.lower()] = {
        command: (0, f"# {command}\nitems: []\n") for command in DIAGNOSTICS
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
    return str(cluster)


def _attack_activity(fake: FakeAzure, vm: str, disks: list[str], group: str) -> None:
    caller = "attacker@contoso.example"
    for operation, resource in (
        ("Microsoft.Compute/virtualMachines/runCommand/action", vm),
        ("Microsoft.Compute/virtualMachines/extensions/write", vm),
        ("Microsoft.Compute/disks/beginGetAccess/action", disks[1]),
        ("Microsoft.Resources/deployments/write", group),
    ):
        fake.state.record_activity(operation, resource, caller, "Succeeded")
