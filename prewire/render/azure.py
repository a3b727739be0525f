"""Mock answers for pulumi-azure-native resources: the ids, names and computed outputs Azure
would return, derived deterministically from the logical names (see
prewire/core/azure/arm_types.py)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from prewire.core import tokens as t
from prewire.core.azure.arm_types import ARM_TYPES
from prewire.core.vocabulary import Cloud
from prewire.render.providers import provider, setting

SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000"
DEFAULT_LOCATION = "westeurope"
TENANT_ID = "00000000-0000-4000-8000-0000000000aa"


def _guid(text: str) -> str:
    return str(uuid.UUID(hashlib.sha256(text.encode()).hexdigest()[:32]))


def _scope(kind_scope: str, inputs: dict[str, Any], subscription: str) -> str:
    if kind_scope == "subscription":
        return f"/subscriptions/{subscription}"
    if kind_scope.startswith("input:"):
        return str(inputs.get(kind_scope.split(":", 1)[1]) or f"/subscriptions/{subscription}")
    group = inputs.get("resourceGroupName") or "unknown-group"
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def azure_resource(token: str, name: str, out: dict[str, Any], subscription: str) -> str:
    """Fill `out` with the outputs Azure computes and return the resource id."""
    if token == t.AZ_RESOURCE_GROUP:
        group = str(out.get("resourceGroupName") or name)
        out.setdefault("name", group)
        return f"/subscriptions/{subscription}/resourceGroups/{group}"
    if token == t.AZ_BLOB:  # a data-plane object: its id is its URL
        blob = out.get("blobName") or name
        url = f"https://{out.get('accountName')}.blob.core.windows.net/{out.get('containerName')}/{blob}"
        out.setdefault("name", blob)
        out.setdefault("url", url)
        return url
    arm = ARM_TYPES.get(token)
    if arm is None:
        out.setdefault("name", name)
        return f"/subscriptions/{subscription}/providers/Prewire.Unknown/{token}/{name}"
    segments = []
    for key in arm.names:
        segments.append(key[1:] if key.startswith("=") else str(out.get(key) or name))
    physical = segments[-1]
    if token in (t.AZ_ROLE_DEFINITION, t.AZ_ROLE_ASSIGNMENT) and not out.get(arm.names[0]):
        physical = segments[-1] = _guid(token + name)
    namespace, *types = arm.type.split("/")
    path = "/".join(part for pair in zip(types, segments, strict=True) for part in pair)
    resource_id = f"{_scope(arm.scope, out, subscription)}/providers/{namespace}/{path}"
    out.setdefault("name", physical)
    out.setdefault("type", arm.type)
    identity = out.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # Inputs list the identities; Azure answers with a map keyed by their ids.
        out["identity"] = {
            **identity,
            "userAssignedIdentities": {str(i): {} for i in identity["userAssignedIdentities"]},
        }
    extra = _computed(token, physical, resource_id, out)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**value, **out[key]} if key != "identity" else {**out[key], **value}
        else:
            out.setdefault(key, value)
    return resource_id


def _computed(token: str, physical: str, resource_id: str, out: dict[str, Any]) -> dict[str, Any]:
    if token == t.AZ_STORAGE_ACCOUNT:
        return {
            "primaryEndpoints": {
                "blob": f"https://{physical}.blob.core.windows.net/",
                "dfs": f"https://{physical}.dfs.core.windows.net/",
            }
        }
    if token == t.AZ_WORKSPACE:
        return {"customerId": _guid(resource_id)}
    if token == t.AZ_USER_IDENTITY:
        return {
            "principalId": _guid(resource_id + "principal"),
            "clientId": _guid(resource_id + "client"),
            "tenantId": TENANT_ID,
        }
    if token == t.AZ_BACKUP_VAULT and (out.get("identity") or {}).get("type"):
        return {"identity": {**out["identity"], "principalId": _guid(resource_id + "vault")}}
    if token == t.AZ_POLICY_ASSIGNMENT and (out.get("identity") or {}).get("type"):
        return {"identity": {**out["identity"], "principalId": _guid(resource_id + "policy")}}
    return {}


def _fake_key(text: str) -> str:
    return base64.b64encode(f"prewire-mock-key-{_guid(text)}".encode()).decode()


def _kubeconfig(cluster: str) -> str:
    document = (
        f"apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\n  cluster:\n"
        f"    server: https://{cluster}.hcp.mock.azmk8s.invalid:443\n"
        f"users:\n- name: clusterUser_{cluster}\n  user:\n    token: prewire-mock-token\n"
    )
    return base64.b64encode(document.encode()).decode()


def azure_invoke(call: str, args: dict[str, Any], subscription: str) -> dict[str, Any] | None:
    """Results computed from the arguments for the invokes Azure programs use all the time."""
    group = str(args.get("resourceGroupName") or "")
    if call == "azure-native:authorization:getClientConfig":
        return {
            "clientId": _guid("client"),
            "objectId": _guid("object"),
            "subscriptionId": subscription,
            "tenantId": TENANT_ID,
        }
    if call == "azure-native:resources:getResourceGroup":
        return {
            "id": f"/subscriptions/{subscription}/resourceGroups/{group}",
            "name": group,
            "location": "westeurope",
            "type": "Microsoft.Resources/resourceGroups",
        }
    if call == "azure-native:storage:listStorageAccountKeys":
        account = str(args.get("accountName"))
        return {
            "keys": [
                {"keyName": name, "value": _fake_key(account + name), "permissions": "FULL"}
                for name in ("key1", "key2")
            ]
        }
    if call in (
        "azure-native:containerservice:listManagedClusterUserCredentials",
        "azure-native:containerservice:listManagedClusterAdminCredentials",
    ):
        cluster = str(args.get("resourceName"))
        return {"kubeconfigs": [{"name": "clusterUser", "value": _kubeconfig(cluster)}]}
    if call == "azure-native:operationalinsights:getSharedKeys":
        workspace = str(args.get("workspaceName"))
        return {
            "primarySharedKey": _fake_key(workspace + "primary"),
            "secondarySharedKey": _fake_key(workspace + "secondary"),
        }
    return None


@dataclass(frozen=True)
class AzureProvider:
    """The azure-native provider of a render: one subscription, one default location."""

    subscription: str = SUBSCRIPTION_ID
    location: str = DEFAULT_LOCATION
    packages: ClassVar[tuple[str, ...]] = ("azure-native",)

    def resource(self, token: str, name: str, outputs: dict[str, Any]) -> str:
        return azure_resource(token, name, outputs, self.subscription)

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        return azure_invoke(token, args, self.subscription)

    def location_of(self, outputs: dict[str, Any]) -> str:
        return str(outputs.get("location") or self.location)


@provider(Cloud.AZURE)
def azure_provider(config: Mapping[str, str]) -> AzureProvider:
    subscription = setting(config, "prewire:azure.subscriptionId", "azure-native:subscriptionId")
    return AzureProvider(
        subscription or SUBSCRIPTION_ID,
        setting(config, "azure-native:location") or DEFAULT_LOCATION,
    )
