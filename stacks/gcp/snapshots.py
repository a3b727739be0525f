"""`prewire:gcp:SnapshotSchedule`: a daily snapshot schedule for disks selected by label.

GCP attaches schedules to disks, not to labels: `disk_policy.LabelledDiskSchedule` attaches this
schedule to every disk carrying the label at each `pulumi up` (platform teams run it on a
schedule, so newly labelled disks are covered by the next run).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import child, labels
from stacks.gcp.disk_policy import LabelledDiskSchedule

SNAPSHOT_HOUR = "03:00"


@dataclass
class SnapshotScheduleArgs:
    project: str
    region: str
    label: tuple[str, str]
    retention_days: int


class SnapshotSchedule(pulumi.ComponentResource):
    policy: gcp.compute.ResourcePolicy

    def __init__(
        self, name: str, args: SnapshotScheduleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_SNAPSHOTS, name, None, opts)
        key, value = args.label
        self.policy = gcp.compute.ResourcePolicy(
            f"{name}-daily",
            name="prewire-daily-snapshots",
            project=args.project,
            region=args.region,
            description=f"prewire: daily snapshots of disks labelled {key}={value}",
            snapshot_schedule_policy={
                "schedule": {"daily_schedule": {"days_in_cycle": 1, "start_time": SNAPSHOT_HOUR}},
                "retention_policy": {
                    "max_retention_days": args.retention_days,
                    # Deleting the disk is exactly when its snapshots matter most.
                    "on_source_disk_delete": "KEEP_AUTO_SNAPSHOTS",
                },
                "snapshot_properties": {
                    "labels": {**labels(tokens.GCP_SNAPSHOTS), key: value},
                    "storage_locations": args.region,
                    "guest_flush": False,
                },
            },
            opts=child(self),
        )
        LabelledDiskSchedule(
            f"{name}-labelled-disks",
            project=args.project,
            label=args.label,
            policy=self.policy.self_link,
            opts=child(self),
        )
        self.register_outputs({"policy": self.policy.self_link})
