"""`prewire:azure:FlowLogs`: VNet flow logs for the configured virtual networks.

Through the Network Watcher of each network's location (`NetworkWatcher_<location>` in
`NetworkWatcherRG`, which Azure creates when a virtual network is), version 2 records (with
flow state and bytes), kept in a per-location storage account (flow logs must be stored in the
network's location, and their blobs are rewritten as they grow, so the account is versioned,
soft-delete protected and locked against deletion rather than write-once) and sent through
traffic analytics into the Log Analytics workspace, a second copy investigators can query.
NSG flow logs are being retired by Azure; VNet flow logs replace them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.network as network
import pulumi_azure_native.storage as storage

from prewire.core import tokens
from stacks.azure.base import MAX_SOFT_DELETE_DAYS, child, name_of, storage_name, tags

NETWORK_WATCHER_GROUP = "NetworkWatcherRG"
MAX_FLOW_LOG_RETENTION_DAYS = 365


@dataclass
class FlowLogsArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    networks: Mapping[str, str]
    """Virtual network id -> location."""
    retention_days: int
    workspace_id: pulumi.Input[str]
    workspace_customer_id: pulumi.Input[str]
    workspace_location: str


class FlowLogs(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: FlowLogsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_FLOW_LOGS, name, None, opts)
        accounts = {
            location: self._account(name, args, location)
            for location in sorted(set(args.networks.values()))
        }
        for vnet, location in args.networks.items():
            network.FlowLog(
                f"{name}-{name_of(vnet)}",
                network_watcher_name=f"NetworkWatcher_{location}",
                resource_group_name=NETWORK_WATCHER_GROUP,
                flow_log_name=f"prewire-{name_of(vnet)}",
                location=location,
                target_resource_id=vnet,
                storage_id=accounts[location].id,
                enabled=True,
                format={"type": "JSON", "version": 2},
                retention_policy={
                    "enabled": True,
                    "days": min(args.retention_days, MAX_FLOW_LOG_RETENTION_DAYS),
                },
                flow_analytics_configuration={
                    "network_watcher_flow_analytics_configuration": {
                        "enabled": True,
                        "workspace_id": args.workspace_customer_id,
                        "workspace_region": args.workspace_location,
                        "workspace_resource_id": args.workspace_id,
                        "traffic_analytics_interval": 10,
                    }
                },
                tags=tags(tokens.AZURE_FLOW_LOGS),
                opts=child(self),
            )
        self.register_outputs({"flowLogAccounts": {k: a.id for k, a in accounts.items()}})

    def _account(self, name: str, args: FlowLogsArgs, location: str) -> storage.StorageAccount:
        account = storage.StorageAccount(
            f"{name}-{location}",
            account_name=storage_name(f"{name}flow", args.subscription_id, location),
            resource_group_name=args.resource_group_name,
            location=location,
            kind="StorageV2",
            sku={"name": "Standard_ZRS"},
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            tags=tags(tokens.AZURE_FLOW_LOGS),
            opts=child(self, protect=True),
        )
        days = min(args.retention_days, MAX_SOFT_DELETE_DAYS)
        storage.BlobServiceProperties(
            f"{name}-{location}-blob-service",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": days},
            container_delete_retention_policy={"enabled": True, "days": days},
            opts=child(self),
        )
        authorization.ManagementLockByScope(
            f"{name}-{location}-keep",
            scope=account.id,
            lock_name="prewire-keep",
            level="CanNotDelete",
            notes="prewire: flow logs",
            opts=child(self),
        )
        return account
