"""Shared pieces of the Azure components: child options, names, tags, well-known role ids."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TypedDict

import pulumi

from prewire.core.vocabulary import ROLE_TAG
from stacks.tags import component_tags

MAX_IMMUTABILITY_DAYS = 146_000
MAX_SOFT_DELETE_DAYS = 365
MAX_WORKSPACE_RETENTION_DAYS = 730
# Azure built-in role definition ids (the same in every tenant).
BACKUP_CONTRIBUTOR = "5e467623-bb1f-42f4-a55d-6e525e11384b"
DISK_BACKUP_READER = "3e5e47e6-65f7-47ef-90b5-e5dd4d455f24"
DISK_SNAPSHOT_CONTRIBUTOR = "7efff54f-a5b4-42b5-a1c5-5411624893ce"


def child(
    parent: pulumi.Resource,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    protect: bool = False,
) -> pulumi.ResourceOptions:
    """Options for a child resource: parented (names, provider and deletes follow the
    component); `protect` on stores that hold evidence, so `pulumi destroy` refuses them."""
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on), protect=protect)


def tags(component: str, role: str | None = None) -> dict[str, str]:
    """prewire's tags; `role` is what responders discover the resource by."""
    return component_tags(component, {ROLE_TAG: role} if role else None)


def storage_name(prefix: str, *seed: str) -> str:
    """A storage account name: 3-24 lower-case letters and digits, unique per seed."""
    digest = hashlib.sha256("/".join(seed).encode()).hexdigest()
    return (re.sub(r"[^a-z0-9]", "", prefix.lower())[:14] + digest)[:24]


class HardenedStorage(TypedDict):
    kind: str
    enable_https_traffic_only: bool
    minimum_tls_version: str
    allow_blob_public_access: bool
    allow_shared_key_access: bool
    default_to_o_auth_authentication: bool
    allow_cross_tenant_replication: bool


# Every storage account the stack creates: HTTPS and TLS 1.2 only, nothing public, no account
# keys (Entra ID only), no replication to other tenants.
HARDENED_STORAGE: HardenedStorage = {
    "kind": "StorageV2",
    "enable_https_traffic_only": True,
    "minimum_tls_version": "TLS1_2",
    "allow_blob_public_access": False,
    "allow_shared_key_access": False,
    "default_to_o_auth_authentication": True,
    "allow_cross_tenant_replication": False,
}


def subscription_scope(subscription_id: str) -> str:
    return f"/subscriptions/{subscription_id}"


def built_in_role(subscription_id: str, role: str) -> str:
    scope = subscription_scope(subscription_id)
    return f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def name_of(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]
