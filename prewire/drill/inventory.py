"""What existed before the response, to prove afterwards that nothing was deleted, stopped or
terminated (the drill's "never destroy evidence" expectation)."""

from __future__ import annotations

from dataclasses import dataclass

from responders.aws.session import AwsClients


@dataclass(frozen=True)
class Inventory:
    instances: dict[str, str]  # id -> state
    volumes: frozenset[str]
    snapshots: frozenset[str]
    function_versions: dict[str, frozenset[str]]
    users: frozenset[str]
    roles: frozenset[str]
    evidence_versions: frozenset[str]


def take(clients: AwsClients, evidence_bucket: str | None) -> Inventory:
    ec2 = clients.ec2
    instances = {
        i["InstanceId"]: str(i["State"]["Name"])
        for page in ec2.get_paginator("describe_instances").paginate()
        for r in page["Reservations"]
        for i in r["Instances"]
    }
    volumes = frozenset(
        v["VolumeId"]
        for page in ec2.get_paginator("describe_volumes").paginate()
        for v in page["Volumes"]
    )
    snapshots = frozenset(
        s["SnapshotId"]
        for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"])
        for s in page["Snapshots"]
    )
    fn = clients.lambda_
    functions = [
        f["FunctionName"]
        for page in fn.get_paginator("list_functions").paginate()
        for f in page["Functions"]
    ]
    versions = {
        name: frozenset(
            v["Version"]
            for page in fn.get_paginator("list_versions_by_function").paginate(FunctionName=name)
            for v in page["Versions"]
        )
        for name in functions
    }
    iam = clients.iam
    users = frozenset(
        u["UserName"] for page in iam.get_paginator("list_users").paginate() for u in page["Users"]
    )
    roles = frozenset(
        r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]
    )
    evidence: frozenset[str] = frozenset()
    if evidence_bucket:
        evidence = frozenset(
            f"{v['Key']}@{v['VersionId']}"
            for page in clients.s3.get_paginator("list_object_versions").paginate(
                Bucket=evidence_bucket
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
        problems += [f"{kind} {item} was deleted" for item in sorted(was - now)]
    for function, versions in before.function_versions.items():
        gone = versions - after.function_versions.get(function, frozenset())
        problems += [f"function {function} version {v} was deleted" for v in sorted(gone)]
    return problems
