"""An Azure subscription on the local fake: the kit's Azure stack deployed.

`deploy_stack` renders the kit's Azure program (stacks/) with a drill configuration and creates
every resource through the management API (`prewire.drill.azure.provision`), as `pulumi up`
would; responders then find what they need by the stack's `prewire:role` tags, exactly as in a
real subscription. The compromised workload is seeded by `prewire.drill.azure.victim`: a VM with
two disks holding bytes, a network interface behind a web group, a system- and a user-assigned
identity with role assignments and Activity Log events, and the network and AKS cluster the
stack covers (flow logs, audit diagnostics), with command outputs and audit rows in the stack's
workspace.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from prewire.core.graph import Graph
from prewire.core.vocabulary import ROLE_TAG
from prewire.drill.azure.provision import provision_azure
from prewire.drill.provisioning import Provisioned
from prewire.emulator.azure import FakeAzure
from prewire.package.azure import build_azure_responder
from prewire.render import render
from responders.azure.discovery import Role

LOCATION = "westeurope"


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


def put_resource(fake: FakeAzure, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = fake.state.handle("PUT", resource_id, {}, body)
    assert reply.status in (200, 201), reply.body
    return dict(reply.body)


def resource_group(fake: FakeAzure, name: str) -> str:
    group = f"/subscriptions/{fake.subscription}/resourceGroups/{name}"
    put_resource(fake, group, {"location": LOCATION})
    return group


def tagged(fake: FakeAzure, role: Role, arm_type: str) -> dict[str, Any]:
    found = [
        r for r in fake.state.of_type(arm_type) if (r.get("tags") or {}).get(ROLE_TAG) == role.value
    ]
    assert found, f"the stack created no {arm_type} tagged {role.value}"
    return found[0]


def _existing_workloads(fake: FakeAzure) -> None:
    """What the subscription runs before the stack is deployed: the network and the AKS
    cluster the drill configuration names (flow logs and audit diagnostics point at them)."""
    network, cluster = workloads(fake.subscription)
    resource_group(fake, WORKLOADS_GROUP)
    put_resource(
        fake,
        network,
        {
            "location": LOCATION,
            "properties": {"addressSpace": {"addressPrefixes": ["10.42.0.0/16"]}},
        },
    )
    put_resource(
        fake,
        cluster,
        {"location": LOCATION, "properties": {"kubernetesVersion": "1.30.5", "dnsPrefix": "wl"}},
    )


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
    evidence = tagged(fake, Role.EVIDENCE_STORE, "Microsoft.Storage/storageAccounts")
    audit = tagged(fake, Role.AUDIT_STORE, "Microsoft.Storage/storageAccounts")
    workspace = tagged(fake, Role.LOG_WORKSPACE, "Microsoft.OperationalInsights/workspaces")
    nsg = tagged(fake, Role.ISOLATION_NSG, "Microsoft.Network/networkSecurityGroups")
    identity = tagged(
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
