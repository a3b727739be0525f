"""The Azure settings: the stack's Azure readiness, from `prewire:azure.*`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stacks.settings.patterns import (
    AKS_ID,
    ANY_PATH,
    AZURE_LOCATION,
    CALLER,
    FUNCTION_APP_ID,
    GUID,
    KEY_VAULT_KEY,
    RESOURCE_GROUP,
    TAG,
    VNET_AT,
)
from stacks.settings.reader import Reader, read_ids, split_tag


@dataclass(frozen=True)
class AzureSettings:
    subscription_id: str
    location: str
    break_glass_group_object_id: str
    resource_group: str = "prewire-forensics"
    locations: tuple[str, ...] = ()
    """Every location with an isolation network security group (the stack's, the networks')."""
    networks: Mapping[str, str] = field(default_factory=dict)
    """Virtual network id -> its location (flow logs go through that location's watcher)."""
    aks_cluster_ids: tuple[str, ...] = ()
    function_app_ids: tuple[str, ...] = ()
    break_glass_callers: tuple[str, ...] = ()
    responder_principal_ids: tuple[str, ...] = ()
    customer_managed_key_uri: str | None = None
    snapshot_tag: tuple[str, str] = ("prewire:snapshot", "true")
    snapshot_retention_days: int = 35
    manage_defender_plans: bool = True
    auto_contain: bool = False
    responder_package: str | None = None
    """Directory of the responder Function's package (`prewire package azure-responder`)."""


def read_azure(reader: Reader) -> AzureSettings | None:
    subscription = reader.string("azure.subscriptionId", GUID, "a subscription id (a GUID)")
    location = reader.string("azure.location", AZURE_LOCATION, "an Azure location like westeurope")
    group = reader.string("azure.breakGlassGroupObjectId", GUID, "an Entra group object id")
    reader.require(
        "azure",
        {
            "azure.subscriptionId": subscription,
            "azure.location": location,
            "azure.breakGlassGroupObjectId": group,
        },
    )
    pairs = (
        reader.strings(
            "azure.networks", VNET_AT, "location=/subscriptions/.../virtualNetworks/name"
        )
        or ()
    )
    networks = {pair.split("=", 1)[1]: pair.split("=", 1)[0] for pair in pairs}
    extra = reader.strings("azure.locations", AZURE_LOCATION, "Azure locations") or ()
    tag = reader.string("azure.snapshotTag", TAG, "a tag as key=value")
    if subscription is None or location is None or group is None:
        return None
    foreign = [
        n
        for n in [*networks, *read_ids(reader)]
        if f"/subscriptions/{subscription}/".lower() not in n.lower()
    ]
    if foreign:
        reader.fail("azure.networks", f"outside subscription {subscription}: {', '.join(foreign)}")
    return AzureSettings(
        subscription_id=subscription,
        location=location,
        break_glass_group_object_id=group,
        resource_group=reader.string("azure.resourceGroup", RESOURCE_GROUP, "a resource group name")
        or "prewire-forensics",
        locations=tuple(dict.fromkeys([location, *extra, *networks.values()])),
        networks=networks,
        aks_cluster_ids=reader.strings("azure.aksClusterIds", AKS_ID, "AKS cluster ids") or (),
        function_app_ids=reader.strings("azure.functionAppIds", FUNCTION_APP_ID, "Function App ids")
        or (),
        break_glass_callers=reader.strings(
            "azure.breakGlassCallers", CALLER, "user principal names or object ids"
        )
        or (),
        responder_principal_ids=reader.strings(
            "azure.responderPrincipalIds", GUID, "Entra object ids"
        )
        or (),
        customer_managed_key_uri=reader.string(
            "azure.customerManagedKeyUri", KEY_VAULT_KEY, "a Key Vault key URI"
        ),
        snapshot_tag=split_tag(tag) if tag else ("prewire:snapshot", "true"),
        snapshot_retention_days=reader.integer("azure.snapshotRetentionDays", 35, 1, 36500),
        manage_defender_plans=reader.boolean("azure.manageDefenderPlans", True),
        auto_contain=reader.boolean("azure.autoContain", False),
        responder_package=_responder_package(reader),
    )


def _responder_package(reader: Reader) -> str | None:
    path = reader.string("azure.responderPackage", ANY_PATH, "a directory")
    if path and not (Path(path) / "function_app.py").is_file():
        reader.fail(
            "azure.responderPackage",
            f"{path} holds no function_app.py: build it with `prewire package azure-responder`",
        )
        return None
    return path
