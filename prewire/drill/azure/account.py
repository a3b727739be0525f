"""An Azure subscription on the local fake: the kit's Azure stack deployed, and a victim.

`deploy_stack` renders the kit's Azure program (stacks/) with a drill configuration and creates
every resource through the management API (`azure_provision`), as `pulumi up` would; responders
then find what they need by the stack's `prewire:role` tags, exactly as in a real subscription.
`seed_victim` adds a compromised workload: a VM with two disks holding bytes, a network interface
behind a web group, a system- and a user-assigned identity with role assignments and Activity
Log events; `seed_workloads` the network and AKS cluster the stack covers (flow logs, audit
diagnostics), with command outputs and audit rows in the stack's workspace.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from prewire.core.graph import Graph
from prewire.drill.azure.provision import provision_azure
from prewire.drill.provisioning import Provisioned
from prewire.emulator.azure import FakeAzure
from prewire.package import build_azure_responder
from prewire.render import render
from responders.azure.aks_cluster import DIAGNOSTICS
from responders.azure.discovery import ROLE_TAG, Role

LOCATION = "westeurope"
ATTACKER = "203.0.113.77"
AKS_ATTACKER_POD = "xmrig-6b8c4"
VICTIM_MAC = "00-0D-3A-4C-1B-2E"
FLOW_LOG_CONTAINER = "insights-logs-flowlogflowevent"
WORKLOADS_GROUP = "workloads"
BREAK_GLASS_GROUP = "00000000-0000-4000-8000-0000000b6ea5"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"


@dataclass(frozen=True)
class AzurePrewired:
    resource_group: str
    evidence_account_id: str
    audit_account_id: str
    workspace_id: str
    workspace_customer_id: str
    isolation_nsg_id: str
    responder_identity_id: str
    provisioned: Provisioned


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


def workloads(subscription: str) -> tuple[str, str]:
    """(virtual network id, AKS cluster id) of the workloads the stack is configured to cover."""
    group = f"/subscriptions/{subscription}/resourceGroups/{WORKLOADS_GROUP}/providers"
    return (
        f"{group}/Microsoft.Network/virtualNetworks/workloads-vnet",
        f"{group}/Microsoft.ContainerService/managedClusters/workloads-aks",
    )


@lru_cache(maxsize=1)
def responder_package() -> Path:
    """The responder Function's package, code only (the fake runs no Functions), built once per
    process into a temporary folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="prewire-azure-responder-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return build_azure_responder(folder / "package", dependencies=False)


def drill_config(subscription: str, retention_days: int = 30) -> dict[str, str]:
    network, cluster = workloads(subscription)
    return {
        "prewire:azure.responderPackage": str(responder_package()),
        "prewire:clouds": json.dumps(["azure"]),
        "prewire:retentionDays": str(retention_days),
        "prewire:alertEmail": "drill@example.com",
        "prewire:azure.subscriptionId": subscription,
        "prewire:azure.location": LOCATION,
        "prewire:azure.breakGlassGroupObjectId": BREAK_GLASS_GROUP,
        "prewire:azure.networks": json.dumps([f"{LOCATION}={network}"]),
        "prewire:azure.aksClusterIds": json.dumps([cluster]),
    }


@lru_cache(maxsize=4)
def stack_graph(subscription: str) -> Graph:
    return render(None, drill_config(subscription), stack="drill-azure")


def _put(fake: FakeAzure, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = fake.state.handle("PUT", resource_id, {}, body)
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def _group(fake: FakeAzure, name: str) -> str:
    group = f"/subscriptions/{fake.subscription}/resourceGroups/{name}"
    _put(fake, group, {"location": LOCATION})
    return group


def _tagged(fake: FakeAzure, role: Role, arm_type: str) -> dict[str, Any]:
    found = [
        r for r in fake.state.of_type(arm_type) if (r.get("tags") or {}).get(ROLE_TAG) == role.value
    ]
    assert found, f"the stack created no {arm_type} tagged {role.value}"
    return found[0]


def deploy_stack(fake: FakeAzure) -> AzurePrewired:
    """The kit's Azure stack, rendered and created in the fake's subscription."""
    fake.state.put(
        {
            "id": f"/subscriptions/{fake.subscription}",
            "subscriptionId": fake.subscription,
            "displayName": "prewire fake subscription",
            "state": "Enabled",
        }
    )
    _existing_workloads(fake)
    provisioned = provision_azure(stack_graph(fake.subscription), fake.clients())
    evidence = _tagged(fake, Role.EVIDENCE_STORE, "Microsoft.Storage/storageAccounts")
    audit = _tagged(fake, Role.AUDIT_STORE, "Microsoft.Storage/storageAccounts")
    workspace = _tagged(fake, Role.LOG_WORKSPACE, "Microsoft.OperationalInsights/workspaces")
    nsg = _tagged(fake, Role.ISOLATION_NSG, "Microsoft.Network/networkSecurityGroups")
    identity = _tagged(
        fake, Role.RESPONDER_IDENTITY, "Microsoft.ManagedIdentity/userAssignedIdentities"
    )
    customer_id = workspace["properties"]["customerId"]
    fake.log_tables.setdefault(customer_id, {})
    return AzurePrewired(
        resource_group=evidence["id"].split("/providers/")[0],
        evidence_account_id=evidence["id"],
        audit_account_id=audit["id"],
        workspace_id=workspace["id"],
        workspace_customer_id=customer_id,
        isolation_nsg_id=nsg["id"],
        responder_identity_id=identity["id"],
        provisioned=provisioned,
    )


def _identity(fake: FakeAzure, group: str, name: str) -> dict[str, Any]:
    return _put(
        fake,
        f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
        {"location": LOCATION, "properties": {}},
    )


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


def _existing_workloads(fake: FakeAzure) -> None:
    """What the subscription runs before the stack is deployed: the network and the AKS
    cluster the drill configuration names (flow logs and audit diagnostics point at them)."""
    network, cluster = workloads(fake.subscription)
    _group(fake, WORKLOADS_GROUP)
    _put(
        fake,
        network,
        {
            "location": LOCATION,
            "properties": {"addressSpace": {"addressPrefixes": ["10.42.0.0/16"]}},
        },
    )
    _put(
        fake,
        cluster,
        {"location": LOCATION, "properties": {"kubernetesVersion": "1.30.5", "dnsPrefix": "wl"}},
    )


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
    _put(fake, f"{account['id']}/blobServices/default/containers/{FLOW_LOG_CONTAINER}", {})
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
