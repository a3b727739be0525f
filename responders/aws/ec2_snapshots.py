"""Crash-consistent snapshots of every volume of an instance, tagged, locked where possible,
optionally re-encrypted with the forensic key and shared with a forensic account."""

from __future__ import annotations

import threading
import time
from typing import Any

import botocore.exceptions

from prewire.core.evidence.custody import utc_now
from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.session import is_api_gap
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import ActionFailed, Status, Step

SNAPSHOT_TAG_CASE = "prewire:case"
SNAPSHOT_TAG_INSTANCE = "prewire:source-instance"
SNAPSHOT_TAG_TIME = "prewire:taken-at"
DESCRIBE_BATCH = 200


def _case_snapshots(case: AwsCase) -> dict[str, list[dict[str, Any]]]:
    """Every snapshot this case already took, by source instance: one paginated call per run."""
    by_instance: dict[str, list[dict[str, Any]]] = {}
    pages = case.clients.ec2.get_paginator("describe_snapshots").paginate(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{SNAPSHOT_TAG_CASE}", "Values": [case.case_id]}]
    )
    for page in pages:
        for snapshot in page.get("Snapshots", []):
            tags = {t["Key"]: t["Value"] for t in snapshot.get("Tags", [])}
            by_instance.setdefault(tags.get(SNAPSHOT_TAG_INSTANCE, ""), []).append(dict(snapshot))
    return by_instance


def existing_snapshots(case: AwsCase, instance_id: str) -> list[dict[str, Any]]:
    """Snapshots this case already took of the instance (so a re-run does not take more)."""
    return list(case.shared("case-snapshots", lambda: _case_snapshots(case)).get(instance_id, []))


def _remember_snapshots(case: AwsCase, instance_id: str, snapshots: list[dict[str, Any]]) -> None:
    case.shared("case-snapshots", lambda: _case_snapshots(case))[instance_id] = snapshots


class SnapshotWaiter:
    """One poller for every snapshot a run waits on: targets share DescribeSnapshots calls
    (up to 200 ids each) instead of each polling its own, which matters at hundreds of targets."""

    def __init__(self, case: AwsCase) -> None:
        self.case = case
        self.lock = threading.Lock()
        self.pending: set[str] = set()
        self.seen: dict[str, dict[str, Any]] = {}
        self.last_poll = 0.0

    def _poll(self) -> None:
        ids = sorted(self.pending)
        for start in range(0, len(ids), DESCRIBE_BATCH):
            found = self.case.clients.ec2.describe_snapshots(
                SnapshotIds=ids[start : start + DESCRIBE_BATCH]
            )["Snapshots"]
            for snapshot in found:
                self.seen[snapshot["SnapshotId"]] = dict(snapshot)
                if snapshot["State"] in ("completed", "error"):
                    self.pending.discard(snapshot["SnapshotId"])
        self.last_poll = time.monotonic()

    def wait(self, snapshot_ids: list[str], label: str) -> list[dict[str, Any]]:
        task = self.case.progress.task(f"snapshots of {label}", total=100.0 * len(snapshot_ids))
        with self.lock:
            self.pending.update(
                i for i in snapshot_ids if i not in self.seen or self.seen[i]["State"] == "pending"
            )
        try:
            while True:
                with self.lock:
                    mine = set(snapshot_ids) & self.pending
                    due = time.monotonic() - self.last_poll >= self.case.options.poll_seconds
                    if mine and due:
                        self._poll()
                    snapshots = [self.seen[i] for i in snapshot_ids if i in self.seen]
                task.update(sum(_percent(s) for s in snapshots))
                failed = [s["SnapshotId"] for s in snapshots if s["State"] == "error"]
                if failed:
                    raise ActionFailed(f"snapshots failed: {', '.join(failed)}")
                if len(snapshots) == len(snapshot_ids) and all(
                    s["State"] == "completed" for s in snapshots
                ):
                    return snapshots
                time.sleep(min(self.case.options.poll_seconds, 1.0) / 4)
        finally:
            task.close()


def wait_for_snapshots(case: AwsCase, snapshot_ids: list[str], label: str) -> list[dict[str, Any]]:
    """Wait until every snapshot completes, with progress; fail on an errored snapshot."""
    return case.shared("snapshot-waiter", lambda: SnapshotWaiter(case)).wait(snapshot_ids, label)


def _percent(snapshot: dict[str, Any]) -> float:
    if snapshot["State"] == "completed":
        return 100.0
    return float(str(snapshot.get("Progress") or "0%").rstrip("%") or 0)


def _lock(case: AwsCase, snapshot_ids: list[str], days: int, step: Step) -> None:
    ec2 = case.clients.ec2
    for snapshot_id in snapshot_ids:
        try:
            step.change(
                "ec2",
                ec2,
                "lock_snapshot",
                SnapshotId=snapshot_id,
                LockMode="compliance",
                LockDuration=days,
            )
        except botocore.exceptions.ClientError as error:
            if is_api_gap(error):
                step.warn(
                    "this target does not support snapshot locking (LockSnapshot unavailable): "
                    "snapshots are tagged but NOT locked"
                )
                step.state["locked"] = False
                return
            raise
    step.state["locked"] = not case.dry_run
    if not case.dry_run:
        step.note(f"locked {len(snapshot_ids)} snapshot(s) in compliance mode for {days} days")


def _share(case: AwsCase, snapshots: list[dict[str, Any]], account: str, step: Step) -> None:
    """Share with the forensic account, copying first under the forensic key when the snapshot
    is encrypted with a key that account cannot use (e.g. the AWS-managed EBS key)."""
    ec2 = case.clients.ec2
    key = case.prewired.kms_key_arn
    shared: list[str] = []
    for snapshot in snapshots:
        snapshot_id = snapshot["SnapshotId"]
        if snapshot.get("Encrypted") and snapshot.get("KmsKeyId") != key:
            if not key:
                step.warn(f"{snapshot_id} is encrypted and no forensic key is known; not shared")
                continue
            copy = step.change(
                "ec2",
                ec2,
                "copy_snapshot",
                SourceSnapshotId=snapshot_id,
                SourceRegion=case.clients.region,
                Encrypted=True,
                KmsKeyId=key,
                Description=f"prewire {case.case_id}: {snapshot_id} for {account}",
                TagSpecifications=[
                    {
                        "ResourceType": "snapshot",
                        "Tags": [
                            {"Key": SNAPSHOT_TAG_CASE, "Value": case.case_id},
                            {"Key": "prewire:copy-of", "Value": snapshot_id},
                        ],
                    }
                ],
            )
            if copy is None:  # dry run
                continue
            snapshot_id = copy["SnapshotId"]
            wait_for_snapshots(case, [snapshot_id], f"copy of {snapshot['SnapshotId']}")
        step.change(
            "ec2",
            ec2,
            "modify_snapshot_attribute",
            SnapshotId=snapshot_id,
            Attribute="createVolumePermission",
            OperationType="add",
            UserIds=[account],
        )
        shared.append(snapshot_id)
    if shared:
        step.state["shared_with"] = {account: shared}
        step.note(f"shared {len(shared)} snapshot(s) with {account}")


@action(
    Cloud.AWS,
    "snapshot-disks",
    summary="Crash-consistent snapshot set of every volume, tagged, locked, optionally shared",
    target_kind="instance",
    permissions=(
        *perms("ec2:DescribeInstances", "ec2:DescribeSnapshots"),
        # The instance and its volumes; the snapshots only with the case tag.
        *perms("ec2:CreateSnapshots", scope=Scope.ACCOUNT_RESOURCES),
        *perms("ec2:CreateSnapshots", "ec2:CopySnapshot", scope=Scope.CASE_SNAPSHOT_CREATION),
        *perms("ec2:CreateTags", scope=Scope.SNAPSHOT_CREATION_TAGS),
        *perms("ec2:LockSnapshot", scope=Scope.CASE_SNAPSHOTS),
        *perms("ec2:ModifySnapshotAttribute", scope=Scope.CASE_SNAPSHOT_SHARING),
        *perms(
            "kms:CreateGrant",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKeyWithoutPlaintext",
            scope=Scope.FORENSIC_KEY,
        ),
    ),
    destructive=False,
    produces=(EvidenceSource.EC2_VOLUMES, EvidenceSource.EKS_NODE_FILESYSTEM),
)
def snapshot_disks(case: AwsCase, target: str, step: Step) -> Status:
    instance = describe_instance(case, target)
    devices = {
        m["Ebs"]["VolumeId"]: m["DeviceName"]
        for m in instance.get("BlockDeviceMappings", [])
        if "Ebs" in m
    }
    previous = existing_snapshots(case, target)
    covered = {s["VolumeId"] for s in previous}
    status = Status.UNCHANGED
    if devices and set(devices) <= covered:
        snapshots = previous
        step.note(f"snapshot set already taken ({len(previous)} snapshot(s))")
    else:
        taken_at = utc_now()
        ec2 = case.clients.ec2
        # One CreateSnapshots call: all volumes at the same point in time (crash-consistent).
        created = step.change(
            "ec2",
            ec2,
            "create_snapshots",
            InstanceSpecification={"InstanceId": target, "ExcludeBootVolume": False},
            Description=f"prewire case {case.case_id}: {target}",
            CopyTagsFromSource="volume",
            TagSpecifications=[
                {
                    "ResourceType": "snapshot",
                    "Tags": [
                        {"Key": SNAPSHOT_TAG_CASE, "Value": case.case_id},
                        {"Key": SNAPSHOT_TAG_INSTANCE, "Value": target},
                        {"Key": SNAPSHOT_TAG_TIME, "Value": taken_at},
                    ],
                }
            ],
        )
        if created is None:  # dry run: nothing was created
            return Status.PLANNED
        snapshots = [dict(s) for s in created["Snapshots"]]
        # No tag call per snapshot: a snapshot records its volume itself, and which device the
        # volume was goes into custody (the step's state), at no API cost.
        step.state["devices"] = {
            s["SnapshotId"]: devices.get(s["VolumeId"], "?") for s in snapshots
        }
        step.state["set_taken_at"] = utc_now()  # the disks' point in time is now kept
        step.note(f"started {len(snapshots)} snapshot(s) of {len(devices)} volume(s)")
        status = Status.CHANGED
    snapshot_ids = [s["SnapshotId"] for s in snapshots]
    step.state["snapshots"] = {s["SnapshotId"]: s["VolumeId"] for s in snapshots}
    done = all(s.get("State") == "completed" for s in snapshots)
    if (case.options.wait_for_snapshots or case.options.share_with_account) and not done:
        snapshots = wait_for_snapshots(case, snapshot_ids, target)
    _remember_snapshots(case, target, snapshots)
    if case.options.lock_days and not step.state.get("locked"):
        _lock(case, snapshot_ids, case.options.lock_days, step)
    if case.options.share_with_account:
        _share(case, snapshots, case.options.share_with_account, step)
    return status
