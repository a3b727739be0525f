"""`snapshot-disks --export-vmdk` against the fake's Cloud Build and Cloud Storage: the export
build Google's tool runs, waited for, the file hashed and recorded; re-runs, failures and
dry-runs. The fake's file is a stand-in for a VMDK (see prewire/emulator/gcp/cloud_build.py)."""

from __future__ import annotations

import hashlib

import pytest

from prewire.core.evidence.verify import verify_case
from prewire.emulator.gcp.cloud_build import EXPORT_BUILDER, stand_in_vmdk
from responders.runtime import Status
from tests.gcp.conftest import VICTIM, Project, act, open_test_case


def _vmdks(project: Project) -> dict[str, bytes]:
    bucket = project.fake.storage.buckets["prewire-evidence-fake"]
    return {k: b.data for k, b in bucket.objects.items() if k.endswith(".vmdk")}


def test_each_snapshot_is_exported_hashed_and_recorded(project: Project) -> None:
    case = open_test_case(project, export_vmdk=True)
    [outcome] = act(case, "snapshot-disks", VICTIM)
    assert outcome.status is Status.CHANGED, outcome.message
    snapshots = sorted(project.fake.compute.snapshots)
    exported = _vmdks(project)
    assert sorted(k.rsplit("/", 1)[-1] for k in exported) == [f"{s}.vmdk" for s in snapshots]
    # Google's export step, from each snapshot to the artifact's key in the evidence bucket.
    builds = list(project.fake.cloud_build.builds.values())
    assert [b["steps"][0]["name"] for b in builds] == [EXPORT_BUILDER] * 2
    args = builds[0]["steps"][0]["args"]
    assert "-format=vmdk" in args
    assert f"-source_disk_snapshot=projects/prewire-fake/global/snapshots/{snapshots[0]}" in args
    # The hash is of the bytes in the bucket, read back; custody names the builds.
    assert case.store is not None
    entries = case.store.read_all_entries("case-1")
    [entry] = [e for e in entries if e.action == "snapshot-disks"]
    vmdk_artifacts = [a for a in entry.artifacts if a.key.endswith(".vmdk")]
    assert {a.key: a.sha256 for a in vmdk_artifacts} == {
        k: hashlib.sha256(v).hexdigest() for k, v in exported.items()
    }
    assert all(
        a.size == len(stand_in_vmdk(s)) for a, s in zip(vmdk_artifacts, snapshots, strict=True)
    )
    creates = [c for c in entry.calls if c.operation == "builds.create"]
    assert len(creates) == 2 and all(c.request_id for c in creates)
    assert verify_case(case.store, "case-1").ok


def test_a_re_run_exports_nothing_again(project: Project) -> None:
    act(open_test_case(project, export_vmdk=True), "snapshot-disks", VICTIM)
    builds = len(project.fake.cloud_build.builds)
    [again] = act(open_test_case(project, export_vmdk=True), "snapshot-disks", VICTIM)
    assert again.status is Status.UNCHANGED
    assert len(project.fake.cloud_build.builds) == builds
    assert "already exported" in again.message


def test_a_failed_build_fails_the_step_and_keeps_the_snapshots(project: Project) -> None:
    project.fake.cloud_build.fail_with = "worker instance could not boot"
    try:
        [outcome] = act(open_test_case(project, export_vmdk=True), "snapshot-disks", VICTIM)
    finally:
        project.fake.cloud_build.fail_with = None
    assert outcome.status is Status.FAILED
    assert "ended FAILURE: worker instance could not boot" in outcome.message
    assert len(project.fake.compute.snapshots) == 2 and not _vmdks(project)


@pytest.mark.parametrize("export", [True, False])
def test_dry_run_plans_the_export_builds_only_when_asked(project: Project, export: bool) -> None:
    case = open_test_case(project, export_vmdk=export, dry_run=True)
    [outcome] = act(case, "snapshot-disks", VICTIM)
    planned = [p for p in outcome.planned if p.operation == "builds.create"]
    assert len(planned) == (2 if export else 0)
    assert not project.fake.cloud_build.builds and not project.fake.compute.snapshots
