"""snapshot-disks: incremental, tagged, locked snapshots and hashed VHD copies in evidence."""

from __future__ import annotations

import hashlib

from prewire.core.evidence.verify import verify_case
from responders.runtime import Status
from tests.azure.conftest import Subscription, act, open_test_case

LOCK = "/providers/Microsoft.Authorization/locks/prewire-evidence"


def test_every_disk_is_snapshotted_locked_and_exported_with_its_hash(
    subscription: Subscription,
) -> None:
    victim = subscription.victim
    case = open_test_case(subscription)

    [outcome] = act(case, "snapshot-disks", victim.vm_id)

    assert outcome.status is Status.CHANGED, outcome.message
    snapshots = subscription.fake.state.of_type("Microsoft.Compute/snapshots")
    assert {s["properties"]["creationData"]["sourceResourceId"] for s in snapshots} == set(
        victim.disk_ids
    )
    for snapshot in snapshots:
        assert snapshot["id"].startswith(subscription.prewired.resource_group + "/")
        assert snapshot["properties"]["incremental"] is True
        assert snapshot["tags"]["prewire:case"] == "case-1"
        assert snapshot["tags"]["prewire:source-vm"] == victim.vm_id
        assert subscription.fake.state.get(snapshot["id"] + LOCK) is not None
    # The VHD bytes are the disks' bytes, and the recorded SHA-256 is theirs.
    expected = {
        hashlib.sha256(subscription.fake.services.content[d.lower()]).hexdigest()
        for d in victim.disk_ids
    }
    assert {a.sha256 for a in outcome.artifacts} == expected
    assert all(a.key.endswith(".vhd") for a in outcome.artifacts)
    assert subscription.fake.services.exports == {}, "every read grant is revoked"
    assert verify_case(case.require_store(), "case-1").ok


def test_a_rerun_takes_and_copies_nothing_new(subscription: Subscription) -> None:
    act(open_test_case(subscription), "snapshot-disks", subscription.victim.vm_id)
    [again] = act(open_test_case(subscription), "snapshot-disks", subscription.victim.vm_id)
    assert again.status is Status.UNCHANGED
    assert len(subscription.fake.state.of_type("Microsoft.Compute/snapshots")) == 2
    assert not again.artifacts


def test_the_grant_is_revoked_even_when_the_copy_fails(subscription: Subscription) -> None:
    subscription.fake.blobs.refused.append(".vhd")  # the evidence upload is refused

    [outcome] = act(open_test_case(subscription), "snapshot-disks", subscription.victim.vm_id)

    assert outcome.status is Status.FAILED
    assert "AuthorizationPermissionMismatch" in outcome.message
    assert subscription.fake.services.exports == {}
    # The snapshots themselves were taken and locked before the copy failed.
    assert len(subscription.fake.state.of_type("Microsoft.Compute/snapshots")) == 2
