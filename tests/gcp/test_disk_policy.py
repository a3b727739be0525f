"""The stack's labelled-disk snapshot attachment against the local Compute fake (real
compute_v1 client, REST calls over 127.0.0.1, operations that complete asynchronously)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prewire.emulator.gcp import FakeGcp
from responders.gcp.session import GcpClients
from stacks.gcp.disk_policy import attach_schedule, labelled_disks

POLICY = "projects/prewire-fake/regions/europe-west1/resourcePolicies/prewire-daily-snapshots"
OTHER = "projects/prewire-fake/regions/europe-west1/resourcePolicies/team-schedule"
LABEL = ("prewire-snapshot", "true")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGcp]:
    with FakeGcp() as gcp:
        yield gcp


@pytest.fixture
def client(fake: FakeGcp) -> GcpClients:
    fake.reset()
    fake.compute.add_disk("europe-west1-b", "web-1", {"prewire-snapshot": "true"})
    fake.compute.add_disk("europe-west1-c", "db-1", {"prewire-snapshot": "true", "tier": "db"})
    fake.compute.add_disk("europe-west1-b", "scratch", {"prewire-snapshot": "false"})
    team = fake.compute.add_disk("europe-west1-d", "team-1", {"prewire-snapshot": "true"})
    team["resourcePolicies"] = [f"https://compute.googleapis.com/compute/v1/{OTHER}"]
    return GcpClients("prewire-fake", fake.credentials(), fake.url, poll_seconds=0.01)


def test_only_disks_carrying_the_label_are_listed(client: GcpClients) -> None:
    assert sorted(labelled_disks(client, LABEL)) == [
        "zones/europe-west1-b/disks/web-1",
        "zones/europe-west1-c/disks/db-1",
        "zones/europe-west1-d/disks/team-1",
    ]


def test_the_schedule_is_attached_once_and_other_schedules_are_left_alone(
    fake: FakeGcp, client: GcpClients
) -> None:
    first = attach_schedule(client, LABEL, POLICY)
    assert first.attached == ["zones/europe-west1-b/disks/web-1", "zones/europe-west1-c/disks/db-1"]
    assert list(first.skipped) == ["zones/europe-west1-d/disks/team-1"]
    assert "team-schedule" in first.skipped["zones/europe-west1-d/disks/team-1"]
    web = fake.compute.disks[("europe-west1-b", "web-1")]
    assert web["resourcePolicies"] == [f"https://compute.googleapis.com/compute/v1/{POLICY}"]
    assert fake.compute.disks[("europe-west1-b", "scratch")]["resourcePolicies"] == []
    # Each attachment waited for its zone operation (RUNNING, then DONE).
    polled = [p for m, p in fake.requests if "/operations/" in p]
    assert len(polled) >= 4
    # A second run changes nothing and says so.
    writes = sum(1 for m, _ in fake.requests if m == "POST")
    second = attach_schedule(client, LABEL, POLICY)
    assert second.attached == [] and second.already == first.attached
    assert sum(1 for m, _ in fake.requests if m == "POST") == writes


def test_a_disk_labelled_later_is_picked_up_by_the_next_run(
    fake: FakeGcp, client: GcpClients
) -> None:
    attach_schedule(client, LABEL, POLICY)
    fake.compute.add_disk("europe-west1-b", "web-2", {"prewire-snapshot": "true"})
    again = attach_schedule(client, LABEL, POLICY)
    assert again.attached == ["zones/europe-west1-b/disks/web-2"]
