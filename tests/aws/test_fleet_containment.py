"""A fleet contained under heavy throttling (the cloud model's buckets made small), with the
clients not pacing themselves, so botocore's adaptive retries meet every kind of refusal: every
instance ends isolated exactly once, no snapshot is taken twice, the custody log verifies, and a
run interrupted after containment is finished by a re-run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from prewire.core.evidence.verify import verify_case
from prewire.core.vocabulary import Cloud
from prewire.drill.aws.environment import PreparedAccount, prepare
from prewire.emulator.aws import EmbeddedAws
from prewire.emulator.aws.cloud_model import CloudModel, Latency
from responders.aws.case import AwsCase, Options
from responders.aws.opening import open_case
from responders.playbooks import PLAYBOOKS
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_playbook
from responders.runtime import Outcome, Status

FLEET = 8


@pytest.fixture
def fleet() -> Iterator[tuple[EmbeddedAws, PreparedAccount, list[str]]]:
    with EmbeddedAws() as aws:
        account = prepare(aws.clients(), "fleet")
        found = aws.client("ec2").run_instances(
            ImageId="ami-0a1b2c3d4e5f60718",
            MinCount=FLEET,
            MaxCount=FLEET,
            SubnetId=account.network.subnet_ids[0],
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}},
                {"DeviceName": "/dev/xvdf", "Ebs": {"VolumeSize": 20}},
            ],
        )
        yield aws, account, [i["InstanceId"] for i in found["Instances"]]


def contain(
    aws: EmbeddedAws,
    account: PreparedAccount,
    targets: list[str],
    *,
    throttled: bool,
    workers: int = FLEET,
) -> tuple[AwsCase, list[Outcome]]:
    load_cloud(Cloud.AWS)
    clients = account.responder()
    clients.pacer = None  # not paced: the model's refusals reach the retries
    case = open_case(clients, "fleet-1", options=Options(poll_seconds=0.01))
    if throttled:
        # Bursts of two to four calls, refill as AWS: almost every parallel burst is refused.
        aws.set_cloud_model(CloudModel(latency=Latency(5), burst_scale=0.02))
    playbook = PLAYBOOKS.get((Cloud.AWS, "contain-fleet"))
    outcomes = run_playbook(
        case, playbook, targets, lambda name: ACTIONS.get((Cloud.AWS, name)), workers=workers
    )
    aws.set_cloud_model(None)
    return case, outcomes


def swaps_of(outcomes: list[Outcome]) -> Counter[str]:
    """Per instance, the group changes made (two per interface and run that swapped)."""
    return Counter(o.target for o in outcomes for c in o.calls if "Groups" in c.params)


def test_a_throttled_fleet_is_contained_once_with_its_evidence(
    fleet: tuple[EmbeddedAws, PreparedAccount, list[str]],
) -> None:
    aws, account, targets = fleet
    # Fewer workers than instances: the fleet goes through each step in waves.
    case, outcomes = contain(aws, account, targets, throttled=True, workers=3)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    assert aws.cloud_model is None
    # Containment first: each instance's snapshot set after it was cut off, and protection
    # (which shares the swap's bucket) only once every instance was cut off: custody order.
    assert case.custody is not None
    entries = case.custody.history()

    def seqs(action: str) -> dict[str, int]:
        return {e.target: e.seq for e in entries if e.action == action}

    isolated, snapshotted, protected = (
        seqs(a) for a in ("isolate-instance", "snapshot-disks", "protect-instance")
    )
    assert sorted(isolated) == sorted(snapshotted) == sorted(protected) == sorted(targets)
    assert all(snapshotted[t] > isolated[t] for t in targets)
    assert min(protected.values()) > max(isolated.values())
    assert swaps_of(outcomes) == {t: 2 for t in targets}
    ec2 = account.clients.ec2
    isolation = account.isolation_group
    for reservation in ec2.describe_instances(InstanceIds=targets)["Reservations"]:
        for instance in reservation["Instances"]:
            groups = [g["GroupId"] for e in instance["NetworkInterfaces"] for g in e["Groups"]]
            assert groups == [isolation]
            assert instance["State"]["Name"] == "running"
    snapshots = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    assert len(snapshots) == 2 * len(targets)  # a boot and a data volume each, once
    assert all("contained_at" in o.state for o in outcomes if o.action == "isolate-instance")
    assert case.store is not None
    assert verify_case(case.store, "fleet-1").ok


def test_an_interrupted_fleet_run_is_finished_by_a_rerun(
    fleet: tuple[EmbeddedAws, PreparedAccount, list[str]],
) -> None:
    aws, account, targets = fleet
    load_cloud(Cloud.AWS)
    first = open_case(
        account.responder(), "fleet-1", options=Options(poll_seconds=0.01, network_only=True)
    )
    from responders.runner import run_action

    # "Interrupted" after containment: only the first step ran for every instance.
    contained = run_action(
        first, ACTIONS.get((Cloud.AWS, "isolate-instance")), targets, workers=FLEET
    )
    assert all(o.status is Status.CHANGED for o in contained)
    case, outcomes = contain(aws, account, targets, throttled=False)
    assert all(o.ok for o in outcomes)
    isolations = [o for o in outcomes if o.action == "isolate-instance"]
    assert {o.status for o in isolations} == {Status.UNCHANGED}  # not isolated twice
    assert not swaps_of(outcomes)
    assert {o.status for o in outcomes if o.action == "protect-instance"} == {Status.CHANGED}
    snapshots = account.clients.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    assert len(snapshots) == 2 * len(targets)
    _, again = contain(aws, account, targets, throttled=False)
    assert len(account.clients.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]) == 2 * len(
        targets
    )
    assert {o.status for o in again} == {Status.UNCHANGED}
    assert case.store is not None and verify_case(case.store, "fleet-1").ok
