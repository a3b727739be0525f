"""`prewire:azure:ImmutableStorage`: a storage account whose containers are write-once.

HTTPS only with TLS 1.2, no public blob access, Entra ID only (no shared keys), geo- and
zone-redundant,
blob versioning, soft delete of blobs and containers, change feed, a customer-managed key when
configured, and on every container a time-based immutability policy that is then locked
(nobody, the subscription owner included, can shorten or remove it). A `CanNotDelete` lock keeps
the account itself, and `pulumi destroy` refuses it (protect).

The audit store's containers carry the names Azure's diagnostic settings write to
(`insights-activity-logs`, `insights-logs-<category>`): pre-created, they get the locked policy,
with protected append writes so the log services can keep appending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.storage as storage

from prewire.core import tokens
from responders.azure.discovery import RETENTION_TAG
from stacks.azure.base import (
    HARDENED_STORAGE,
    MAX_IMMUTABILITY_DAYS,
    MAX_SOFT_DELETE_DAYS,
    child,
    storage_name,
    tags,
)
from stacks.azure.locking import ImmutabilityLock


@dataclass
class ImmutableStorageArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    retention_days: int
    containers: Sequence[str]
    role: str
    """The `prewire:role` tag: how responders and audits find this store."""
    append_writes: bool = False
    """Let services append to append blobs (diagnostic logs); evidence is block blobs only."""
    customer_managed_key_uri: str | None = None
    key_identity_id: pulumi.Input[str] | None = None


class ImmutableStorage(pulumi.ComponentResource):
    account: storage.StorageAccount

    def __init__(
        self, name: str, args: ImmutableStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_IMMUTABLE_STORAGE, name, None, opts)
        account_name = storage_name(name, args.subscription_id, args.location)
        self.account = storage.StorageAccount(
            name,
            account_name=account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            # Geo- and zone-redundant: evidence outlives a datacenter and a region.
            sku={"name": "Standard_GZRS"},
            **HARDENED_STORAGE,
            encryption=_encryption(args),
            identity=(
                {"type": "UserAssigned", "user_assigned_identities": [args.key_identity_id]}
                if args.customer_managed_key_uri and args.key_identity_id
                else None
            ),
            tags={
                **tags(tokens.AZURE_IMMUTABLE_STORAGE, args.role),
                RETENTION_TAG: str(args.retention_days),
            },
            opts=child(self, protect=True),
        )
        soft_delete = min(args.retention_days, MAX_SOFT_DELETE_DAYS)
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": soft_delete},
            container_delete_retention_policy={"enabled": True, "days": soft_delete},
            change_feed={"enabled": True},
            opts=child(self),
        )
        days = min(args.retention_days, MAX_IMMUTABILITY_DAYS)
        for container_name in args.containers:
            container = storage.BlobContainer(
                f"{name}-{container_name}",
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                container_name=container_name,
                public_access=storage.PublicAccess.NONE,
                opts=child(self, depends_on=[blob_service], protect=True),
            )
            policy = storage.BlobContainerImmutabilityPolicy(
                f"{name}-{container_name}-immutability",
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                container_name=container.name,
                immutability_policy_name="default",
                immutability_period_since_creation_in_days=days,
                allow_protected_append_writes=args.append_writes,
                opts=child(self),
            )
            ImmutabilityLock(
                f"{name}-{container_name}-lock",
                subscription_id=args.subscription_id,
                resource_group_name=args.resource_group_name,
                account_name=self.account.name,
                container_name=container.name,
                opts=child(self, depends_on=[policy]),
            )
        authorization.ManagementLockByScope(
            f"{name}-keep",
            scope=self.account.id,
            lock_name="prewire-keep",
            level="CanNotDelete",
            notes="prewire: holds evidence or audit logs under a locked retention policy",
            opts=child(self),
        )
        self.register_outputs({"accountId": self.account.id, "accountName": self.account.name})


def _encryption(args: ImmutableStorageArgs) -> storage.EncryptionArgsDict:
    services: storage.EncryptionServicesArgsDict = {
        "blob": {"enabled": True, "key_type": "Account"},
    }
    if not args.customer_managed_key_uri:
        return {"key_source": "Microsoft.Storage", "services": services}
    vault, _, key = args.customer_managed_key_uri.partition("/keys/")
    key_name, _, version = key.partition("/")
    return {
        "key_source": "Microsoft.Keyvault",
        "key_vault_properties": {
            "key_vault_uri": vault,
            "key_name": key_name,
            **({"key_version": version} if version else {}),
        },
        "encryption_identity": {"encryption_user_assigned_identity": args.key_identity_id},
        "require_infrastructure_encryption": True,
        "services": services,
    }
