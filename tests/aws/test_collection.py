"""snapshot-disks, collect-instance-metadata, preserve-function, collect-cluster, collect-tasks
and evidence verification against the embedded AWS."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from typing import Any

from botocore.stub import Stubber

from prewire.core.evidence.verify import verify_case
from prewire.drill.aws.environment import PreparedAccount
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE, SNAPSHOT_TAG_INSTANCE, _lock
from responders.runtime import Status, Step
from tests.aws.conftest import act, open_test_case


def snapshots_of(account: PreparedAccount, case: str) -> list[dict[str, Any]]:
    found = account.clients.ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{SNAPSHOT_TAG_CASE}", "Values": [case]}]
    )
    return [dict(s) for s in found["Snapshots"]]


def test_snapshot_set_covers_every_volume_and_is_tagged(account: PreparedAccount) -> None:
    case = open_test_case(account, lock_days=7)
    [outcome] = act(case, "snapshot-disks", account.victim.instance_id)
    assert outcome.status is Status.CHANGED, outcome.message
    snapshots = snapshots_of(account, "case-1")
    assert {s["VolumeId"] for s in snapshots} == set(account.victim.volume_ids)
    assert len(account.victim.volume_ids) >= 2
    devices = {
        m["Ebs"]["VolumeId"]: m["DeviceName"]
        for m in account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
            "Reservations"
        ][0]["Instances"][0]["BlockDeviceMappings"]
    }
    for snapshot in snapshots:
        tags = {t["Key"]: t["Value"] for t in snapshot["Tags"]}
        assert tags[SNAPSHOT_TAG_INSTANCE] == account.victim.instance_id
        # The device each snapshot's volume was is in custody, not in a tag call per snapshot.
        assert outcome.state["devices"][snapshot["SnapshotId"]] == devices[snapshot["VolumeId"]]
    assert [c.operation for c in outcome.calls].count("CreateTags") == 0
    # moto has no LockSnapshot: the outcome says so instead of claiming a lock
    assert outcome.state["locked"] is False
    assert any("does not support snapshot locking" in w for w in outcome.warnings)
    [again] = act(case, "snapshot-disks", account.victim.instance_id)
    assert again.status is Status.UNCHANGED
    assert len(snapshots_of(account, "case-1")) == len(snapshots)


def test_snapshot_lock_where_the_api_exists(account: PreparedAccount) -> None:
    """moto has no LockSnapshot: this path runs on a botocore Stubber with AWS's response shape."""
    case = open_test_case(account, lock_days=7)
    act(case, "snapshot-disks", account.victim.instance_id)  # the set is taken on the emulator
    snapshot_ids = [s["SnapshotId"] for s in snapshots_of(account, "case-1")]
    with Stubber(case.clients.ec2) as stubber:
        for snapshot_id in snapshot_ids:
            stubber.add_response(
                "lock_snapshot",
                {"SnapshotId": snapshot_id, "LockState": "compliance", "LockDuration": 7},
                {"SnapshotId": snapshot_id, "LockMode": "compliance", "LockDuration": 7},
            )
        step = Step("snapshot-disks", account.victim.instance_id, dry_run=False)
        _lock(case, snapshot_ids, 7, step)
        stubber.assert_no_pending_responses()
    assert step.state["locked"] is True and not step.warnings


def test_metadata_artifacts_are_stored_with_verified_hashes(account: PreparedAccount) -> None:
    case = open_test_case(account)
    [outcome] = act(case, "collect-instance-metadata", account.victim.instance_id)
    assert outcome.status is Status.COLLECTED, outcome.message
    names = {a.key.rsplit("/", 1)[-1] for a in outcome.artifacts}
    assert names == {
        "instance.json",
        "network-interfaces.json",
        "security-groups.json",
        "volumes.json",
        "instance-profile.json",
        "tags.json",
        "user-data.bin",
        "console-output.txt",
        "config-history.json",
    }
    s3 = account.clients.s3
    for artifact in outcome.artifacts:
        assert artifact.key.startswith(f"cases/case-1/{account.victim.instance_id}/")
        body = s3.get_object(Bucket=account.evidence_bucket, Key=artifact.key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == artifact.sha256
    instance = json.loads(
        s3.get_object(
            Bucket=account.evidence_bucket,
            Key=next(a.key for a in outcome.artifacts if a.key.endswith("/instance.json")),
        )["Body"].read()
    )
    assert instance["InstanceId"] == account.victim.instance_id
    [again] = act(case, "collect-instance-metadata", account.victim.instance_id)
    assert again.status is Status.UNCHANGED and "already collected" in again.message


def test_preserve_function_publishes_latest_and_keeps_every_version(
    account: PreparedAccount,
) -> None:
    fn = account.clients.lambda_
    name = account.victim.function_name
    before = [v["Version"] for v in fn.list_versions_by_function(FunctionName=name)["Versions"]]
    case = open_test_case(account, contain_function=True)
    [outcome] = act(case, "preserve-function", name)
    assert outcome.status is Status.COLLECTED, outcome.message
    after = [v["Version"] for v in fn.list_versions_by_function(FunctionName=name)["Versions"]]
    assert len(after) == len(before) + 1  # $LATEST (the backdoor) now has a version number
    assert fn.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    codes = [a for a in outcome.artifacts if a.key.endswith(".zip")]
    assert len(codes) == 4  # three releases and the backdoored $LATEST, each kept once
    s3 = account.clients.s3
    sources = []
    for artifact in codes:
        data = s3.get_object(Bucket=account.evidence_bucket, Key=artifact.key)["Body"].read()
        assert hashlib.sha256(data).hexdigest() == artifact.sha256
        sources.append(zipfile.ZipFile(io.BytesIO(data)).read("app.py").decode())
    assert any("203.0.113.7" in source for source in sources)
    [again] = act(case, "preserve-function", name)
    assert again.status is Status.UNCHANGED


def test_collect_cluster_enables_all_control_plane_logs_and_exports_audit(
    account: PreparedAccount,
) -> None:
    cluster = account.victim.eks_cluster
    logs = account.clients.logs
    group = f"/aws/eks/{cluster}/cluster"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="kube-apiserver-audit-abc")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="kube-apiserver-audit-abc",
        logEvents=[
            {
                "timestamp": int(time.time() * 1000),
                "message": '{"verb":"create","objectRef":{"resource":"pods/exec"}}',
            }
        ],
    )
    [outcome] = act(open_test_case(account), "collect-cluster", cluster)
    assert outcome.status is Status.COLLECTED, outcome.message
    logging = account.clients.eks.describe_cluster(name=cluster)["cluster"]["logging"]
    enabled = {t for s in logging["clusterLogging"] if s["enabled"] for t in s["types"]}
    assert enabled == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert outcome.state["log_types_enabled_before"] == ["api"]
    assert outcome.state["node_instances"] == [account.victim.eks_node]
    audit = next(a for a in outcome.artifacts if a.key.endswith("/audit.jsonl"))
    body = account.clients.s3.get_object(Bucket=account.evidence_bucket, Key=audit.key)[
        "Body"
    ].read()
    assert b"pods/exec" in body


def test_collect_tasks_keeps_definitions_and_tasks(account: PreparedAccount) -> None:
    target = f"{account.victim.ecs_cluster}/{account.victim.ecs_service}"
    [outcome] = act(open_test_case(account), "collect-tasks", target)
    assert outcome.status is Status.COLLECTED, outcome.message
    names = {a.key.rsplit("/", 1)[-1] for a in outcome.artifacts}
    assert {"service.json", "tasks.json", "task-definitions.json"} <= names
    definitions = next(a for a in outcome.artifacts if a.key.endswith("task-definitions.json"))
    body = json.loads(
        account.clients.s3.get_object(Bucket=account.evidence_bucket, Key=definitions.key)[
            "Body"
        ].read()
    )
    [task] = json.loads(
        account.clients.s3.get_object(
            Bucket=account.evidence_bucket,
            Key=next(a.key for a in outcome.artifacts if a.key.endswith("tasks.json")),
        )["Body"].read()
    )
    assert task["taskArn"] == account.victim.ecs_task
    assert list(body) == [task["taskDefinitionArn"]]
    assert body[task["taskDefinitionArn"]]["family"].startswith("victim-worker")


def test_evidence_verify_passes_then_names_every_tampering(account: PreparedAccount) -> None:
    case = open_test_case(account)
    act(case, "collect-instance-metadata", account.victim.instance_id)
    act(case, "isolate-instance", account.victim.instance_id)
    store = case.require_store()
    clean = verify_case(store, "case-1")
    assert clean.ok, clean.problems
    assert clean.entries == 2 and clean.artifacts == 9
    s3 = account.clients.s3
    bucket = account.evidence_bucket
    keys = [o.key for o in store.list_objects("cases/case-1/") if "/custody/" not in o.key]
    s3.put_object(Bucket=bucket, Key=keys[0], Body=b"forged", ChecksumAlgorithm="SHA256")
    s3.delete_object(Bucket=bucket, Key=keys[1])  # a delete marker: the locked version survives
    s3.put_object(
        Bucket=bucket, Key="cases/case-1/planted.txt", Body=b"x", ChecksumAlgorithm="SHA256"
    )
    entry_key = "cases/case-1/custody/00000000.json"
    entry = json.loads(s3.get_object(Bucket=bucket, Key=entry_key)["Body"].read())
    entry["actor"] = "someone-else"
    s3.put_object(
        Bucket=bucket, Key=entry_key, Body=json.dumps(entry).encode(), ChecksumAlgorithm="SHA256"
    )
    result = verify_case(store, "case-1")
    kinds = {(p.kind, p.subject) for p in result.problems}
    assert ("altered", keys[0]) in kinds
    assert ("missing", keys[1]) in kinds
    assert ("extra", "cases/case-1/planted.txt") in kinds
    assert ("chain", "custody entry 0") in kinds
    assert not result.ok
    versions = s3.list_object_versions(Bucket=bucket, Prefix=keys[1])["Versions"]
    assert versions, "the original, locked version is still there"
