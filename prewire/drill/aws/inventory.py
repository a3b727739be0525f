"""The AWS account inventory: what existed before the response, to prove afterwards that nothing
was deleted, stopped or terminated.

On the emulator the whole account is inventoried. In a real account the drill looks only at its
own canaries (a `Scope`): other workloads change on their own, and listing them is the drill's
business no more than changing them is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from prewire.drill.inventory import gone
from responders.aws.session import AwsClients, error_code


@dataclass(frozen=True)
class Inventory:
    instances: dict[str, str]  # id -> state
    volumes: frozenset[str]
    snapshots: frozenset[str]
    function_versions: dict[str, frozenset[str]]
    users: frozenset[str]
    roles: frozenset[str]
    evidence_versions: frozenset[str]

    def lost_since(self, before: Any) -> list[str]:
        assert isinstance(before, Inventory)
        return destroyed(before, self)


@dataclass(frozen=True)
class Scope:
    """The resources a sandbox drill created, and the evidence prefix its cases write to."""

    instances: tuple[str, ...]
    volumes: tuple[str, ...]
    functions: tuple[str, ...]
    users: tuple[str, ...]
    roles: tuple[str, ...]
    evidence_prefix: str


def _ids_filter(name: str, ids: Iterable[str] | None) -> dict[str, Any]:
    # Filters (not id lists) so that a deleted resource is simply absent rather than an error.
    return {} if ids is None else {"Filters": [{"Name": name, "Values": list(ids)}]}


def _existing(names: Iterable[str], probe: Callable[[str], object]) -> frozenset[str]:
    found = set()
    for name in names:
        try:
            probe(name)
            found.add(name)
        except botocore.exceptions.ClientError as error:
            if not error_code(error).endswith(("NoSuchEntity", "ResourceNotFoundException")):
                raise
    return frozenset(found)


def take(clients: AwsClients, evidence_bucket: str | None, scope: Scope | None = None) -> Inventory:
    ec2, fn, iam = clients.ec2, clients.lambda_, clients.iam
    instances = {
        i["InstanceId"]: str(i["State"]["Name"])
        for page in ec2.get_paginator("describe_instances").paginate(
            **_ids_filter("instance-id", scope.instances if scope else None)
        )
        for r in page["Reservations"]
        for i in r["Instances"]
    }
    volumes = frozenset(
        v["VolumeId"]
        for page in ec2.get_paginator("describe_volumes").paginate(
            **_ids_filter("volume-id", scope.volumes if scope else None)
        )
        for v in page["Volumes"]
    )
    snapshots = frozenset(
        s["SnapshotId"]
        for page in ec2.get_paginator("describe_snapshots").paginate(
            OwnerIds=["self"], **_ids_filter("volume-id", scope.volumes if scope else None)
        )
        for s in page["Snapshots"]
    )
    if scope is None:
        functions = [
            f["FunctionName"]
            for page in fn.get_paginator("list_functions").paginate()
            for f in page["Functions"]
        ]
        users = frozenset(
            u["UserName"]
            for page in iam.get_paginator("list_users").paginate()
            for u in page["Users"]
        )
        roles = frozenset(
            r["RoleName"]
            for page in iam.get_paginator("list_roles").paginate()
            for r in page["Roles"]
        )
    else:
        functions = list(_existing(scope.functions, lambda n: fn.get_function(FunctionName=n)))
        users = _existing(scope.users, lambda n: iam.get_user(UserName=n))
        roles = _existing(scope.roles, lambda n: iam.get_role(RoleName=n))
    versions = {
        name: frozenset(
            v["Version"]
            for page in fn.get_paginator("list_versions_by_function").paginate(FunctionName=name)
            for v in page["Versions"]
        )
        for name in functions
    }
    evidence: frozenset[str] = frozenset()
    if evidence_bucket:
        evidence = frozenset(
            f"{v['Key']}@{v['VersionId']}"
            for page in clients.s3.get_paginator("list_object_versions").paginate(
                Bucket=evidence_bucket, Prefix=scope.evidence_prefix if scope else ""
            )
            for v in page.get("Versions", [])
        )
    return Inventory(instances, volumes, snapshots, versions, users, roles, evidence)


def destroyed(before: Inventory, after: Inventory) -> list[str]:
    """Everything present before and gone, stopped or terminated after."""
    problems = []
    for instance, state in before.instances.items():
        now_state = after.instances.get(instance, "gone")
        if state == "running" and now_state != "running":
            problems.append(f"instance {instance} went from running to {now_state}")
    for kind, was, now in (
        ("volume", before.volumes, after.volumes),
        ("snapshot", before.snapshots, after.snapshots),
        ("IAM user", before.users, after.users),
        ("IAM role", before.roles, after.roles),
        ("evidence object version", before.evidence_versions, after.evidence_versions),
    ):
        problems += gone(kind, was, now)
    for function, versions in before.function_versions.items():
        deleted = versions - after.function_versions.get(function, frozenset())
        problems += [f"function {function} version {v} was deleted" for v in sorted(deleted)]
    return problems
