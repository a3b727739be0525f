"""Locking a container's time-based immutability policy, which Azure allows only as an action.

A policy is created unlocked (it can still be shortened or removed); locking it is a separate
call (`lock` with the policy's ETag) that cannot be undone. No Pulumi resource type does that,
so this dynamic resource does it at deploy time with the deployer's Azure credentials. Deleting
it from the stack does nothing: a locked policy stays locked until it expires.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic


def lock_policy(client: Any, resource_group: str, account: str, container: str) -> str:
    """Lock a container's immutability policy (with its ETag); returns the policy id."""
    from azure.core import MatchConditions

    where = (resource_group, account, container)
    policy = client.blob_containers.get_immutability_policy(*where)
    state = getattr(policy.state, "value", policy.state)
    if state != "Locked":
        policy = client.blob_containers.lock_immutability_policy(
            *where, etag=str(policy.etag), match_condition=MatchConditions.IfNotModified
        )
    return str(policy.id)


class _Locker(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.storage import StorageManagementClient

        client = StorageManagementClient(DefaultAzureCredential(), props["subscription_id"])
        policy_id = lock_policy(
            client, props["resource_group_name"], props["account_name"], props["container_name"]
        )
        return pulumi.dynamic.CreateResult(id_=policy_id, outs={**props, "state": "Locked"})

    def delete(self, id: str, props: dict[str, Any]) -> None:
        return None  # a locked policy cannot be unlocked: nothing to undo

    def diff(
        self,
        id: str,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> pulumi.dynamic.DiffResult:
        keys = ("subscription_id", "resource_group_name", "account_name", "container_name")
        replaces = [k for k in keys if old.get(k) != new.get(k)]
        return pulumi.dynamic.DiffResult(changes=bool(replaces), replaces=replaces)


class ImmutabilityLock(pulumi.dynamic.Resource):
    def __init__(
        self,
        name: str,
        *,
        subscription_id: str,
        resource_group_name: pulumi.Input[str],
        account_name: pulumi.Input[str],
        container_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _Locker(),
            name,
            {
                "subscription_id": subscription_id,
                "resource_group_name": resource_group_name,
                "account_name": account_name,
                "container_name": container_name,
                "state": None,
            },
            opts,
        )
