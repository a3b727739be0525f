"""Containing a fleet at the cloud's rate limits: prewire vs Cloud Custodian on the same model.

For N instances (each with a boot and a data volume) the embedded AWS runs behind the cloud model
(`--cloud-model realistic`: AWS's per-API token buckets, log-normal latency with a 50 ms median):
at this scale the buckets, not latency or CPU, set the time. prewire runs the `contain-fleet`
playbook (every instance cut off first: the two-step group swap; then evidence protection and a
crash-consistent snapshot set each) in a fresh process with clients that pace themselves to the
buckets; Cloud Custodian (its own uv tool environment) runs the equivalent policy (`snapshot`,
then `modify-security-groups` to the isolation group) on other instances through the same model.

Printed per N: time to containment per instance (p50, p99, the last), when every snapshot set
was taken, when all evidence was kept (snapshot sets and protection), each against its bound (the
least time the calls prewire made can take through the buckets: `bound_of`), calls per instance
by API, throttled calls, and Custodian's times: its whole run, and, from the cloud model's record
of each API's last admitted call, its last isolation and its last snapshot call (it keeps no
timings of its own). Custodian does no termination protection, so prewire's "all evidence" has
no Custodian peer; its snapshot sets do.

    python -m bench.containment [--sizes 100 500 1000] [--workers 64] [--skip-custodian]
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.remote import RemoteAws
from policies.checkov_run import uv_binary
from prewire.core.vocabulary import Cloud
from prewire.drill.aws.environment import prepare
from prewire.emulator.aws import EmbeddedAws
from prewire.emulator.aws.cloud_model import REALISTIC, CloudModel
from responders.aws.case import Options
from responders.aws.limits import bound_of
from responders.aws.opening import open_case
from responders.playbooks import PLAYBOOKS
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_playbook

C7N = "c7n==0.9.53"
POLICY = """policies:
  - name: prewire-bench-contain
    resource: aws.ec2
    filters:
      - type: value
        key: "tag:bench"
        value: custodian
    actions:
      - type: snapshot
      - type: modify-security-groups
        isolation-group: {group}
        remove: all
"""


def launch(aws: RemoteAws, subnet: str, count: int, tag: str) -> list[str]:
    ec2 = aws.client("ec2")
    ids: list[str] = []
    while len(ids) < count:
        batch = min(100, count - len(ids))
        found = ec2.run_instances(
            ImageId="ami-0a1b2c3d4e5f60718",
            MinCount=batch,
            MaxCount=batch,
            SubnetId=subnet,
            # A boot and a data volume (moto attaches only the volumes mapped here).
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}},
                {"DeviceName": "/dev/xvdf", "Ebs": {"VolumeSize": 20}},
            ],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "bench", "Value": tag}]}
            ],
        )
        ids += [i["InstanceId"] for i in found["Instances"]]
    return ids


@dataclass
class Contained:
    elapsed: float
    """Until the last instance's evidence was kept (the run's end)."""
    contained: list[float]
    """Seconds from the start until each instance was cut off."""
    snapshot_sets: list[float]
    """Seconds from the start until each instance's crash-consistent snapshot set was taken."""
    containment_calls: dict[str, int]
    calls: dict[str, int]
    failed: list[str]
    paced_seconds: float


def _contain(url: str, region: str, role: str, targets: list[str], workers: int) -> Contained:
    """The prewire side, in a fresh process as a responder starts: modules imported, no
    service model loaded yet; clients pace themselves as against AWS."""
    local = EmbeddedAws(region=region, cloud_model=CloudModel())
    local.url = url  # clients for the benchmark's emulator; this one is never started
    load_cloud(Cloud.AWS)
    clients = local.clients(max_pool=workers * 2).assume(role)
    started_wall = datetime.now().astimezone()
    started = time.perf_counter()
    case = open_case(clients, f"bench-{len(targets)}", options=Options(poll_seconds=0.5))
    playbook = PLAYBOOKS.get((Cloud.AWS, "contain-fleet"))
    outcomes = run_playbook(
        case, playbook, targets, lambda name: ACTIONS.get((Cloud.AWS, name)), workers=workers
    )
    elapsed = time.perf_counter() - started

    def since_start(action: str, key: str) -> list[float]:
        return [
            (datetime.fromisoformat(str(o.state[key])) - started_wall).total_seconds()
            for o in outcomes
            if o.action == action and key in o.state
        ]

    contained = since_start("isolate-instance", "contained_at")
    snapshot_sets = since_start("snapshot-disks", "set_taken_at")
    calls: collections.Counter[str] = collections.Counter()
    containment: collections.Counter[str] = collections.Counter()
    for outcome in outcomes:
        for call in outcome.calls:
            api = f"{call.service}:{call.operation}"
            calls[api] += 1
            if outcome.action == "isolate-instance":
                containment[api] += 1
    paced = sum(clients.pacer.waited.values()) if clients.pacer else 0.0
    failed = [o.message for o in outcomes if not o.ok]
    return Contained(
        elapsed, contained, snapshot_sets, dict(containment), dict(calls), failed, paced
    )


def run_prewire(aws: RemoteAws, role: str, targets: list[str], workers: int) -> Contained:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(_contain, aws.url, aws.region, role, targets, workers).result()
    if result.failed:
        raise SystemExit(f"prewire failed: {result.failed[0]}")
    return result


@dataclass
class Custodian:
    elapsed: float
    """The whole run, process start-up included."""
    contained: float | None
    """Seconds from its start until its last security-group change (the model's record)."""
    snapshots: float | None
    """Seconds from its start until its last snapshot call."""
    throttled: int
    ok: bool


def run_custodian(aws: RemoteAws, isolation_group: str) -> Custodian:
    environment = {**os.environ, **aws.environment(), "C7N_SKIP_PERSISTENCE": "1"}
    command = [uv_binary(), "tool", "run", "--from", C7N, "custodian"]
    subprocess.run([*command, "version"], check=True, capture_output=True, env=environment)
    with tempfile.TemporaryDirectory() as directory:
        policy = Path(directory) / "policy.yml"
        policy.write_text(POLICY.format(group=isolation_group))
        arguments = ["run", "-s", directory, "--region", aws.region, "--cache-period", "0"]
        aws.set_cloud_model(REALISTIC)  # fresh buckets, as prewire had
        started_wall, started = time.time(), time.perf_counter()
        done = subprocess.run(
            [*command, *arguments, str(policy)],
            capture_output=True,
            text=True,
            env=environment,
        )
        elapsed = time.perf_counter() - started
    _, throttled, last = aws.model_counts()

    def last_of(*apis: str) -> float | None:
        times = [last[api] - started_wall for api in apis if api in last]
        return max(times) if times else None

    return Custodian(
        elapsed,
        last_of("ec2:ModifyNetworkInterfaceAttribute", "ec2:ModifyInstanceAttribute"),
        last_of("ec2:CreateSnapshot", "ec2:CreateSnapshots"),
        sum(throttled.values()),
        done.returncode == 0,
    )


def bound(calls: dict[str, int]) -> float:
    return max((bound_of(api, count) for api, count in calls.items()), default=0.0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(size: int, ours: Contained, throttled: int, custodian: Custodian | None) -> None:
    last = max(ours.contained)
    contain_bound, evidence_bound = bound(ours.containment_calls), bound(ours.calls)
    print(f"N = {size}")
    print(
        f"  time to containment: p50 {statistics.median(ours.contained):.1f}s, "
        f"p99 {percentile(ours.contained, 0.99):.1f}s, last {last:.1f}s; "
        + (
            f"bound {contain_bound:.1f}s ({last / contain_bound:.2f}x)"
            if contain_bound
            else "bound 0 (within the buckets' bursts)"
        )
    )
    disks = max(ours.snapshot_sets)
    disks_bound = bound({"ec2:CreateSnapshots": ours.calls.get("ec2:CreateSnapshots", 0)})
    print(
        f"  every snapshot set taken: {disks:.1f}s; bound {disks_bound:.1f}s"
        + (f" ({disks / disks_bound:.2f}x)" if disks_bound else " (burst)")
    )
    ratio = f"{ours.elapsed / evidence_bound:.2f}x" if evidence_bound else "burst"
    print(
        f"  all evidence kept (snapshot sets and termination, shutdown and scale-in "
        f"protection): {ours.elapsed:.1f}s; bound {evidence_bound:.1f}s ({ratio})"
    )
    per_api = ", ".join(f"{api} {n / size:.2f}" for api, n in sorted(ours.calls.items()))
    print(f"  calls per instance: {per_api}")
    print(
        f"  throttled calls: prewire {throttled} (it waited {ours.paced_seconds:.0f}s in all "
        f"for tokens, summed over its workers)"
        + (f", custodian {custodian.throttled}" if custodian else "")
    )
    if custodian is None:
        return
    state = "" if custodian.ok else " (FAILED: throttled past its retries)"
    print(
        f"  cloud custodian: {custodian.elapsed:.1f}s in all{state}; its last isolation at "
        f"{_seconds(custodian.contained)}, its last snapshot call at "
        f"{_seconds(custodian.snapshots)} (it does no termination protection)"
    )
    if custodian.contained and custodian.snapshots:
        print(
            f"  prewire vs custodian: last instance contained {custodian.contained / last:.1f}x "
            f"sooner, every snapshot set taken {custodian.snapshots / disks:.1f}x sooner; "
            f"all of prewire's evidence against custodian's whole run: "
            f"{custodian.elapsed / ours.elapsed:.1f}x"
        )


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--cloud-model", default=REALISTIC, choices=[REALISTIC])
    parser.add_argument("--skip-custodian", action="store_true")
    args = parser.parse_args()
    print(f"cloud model {args.cloud_model}; prewire workers {args.workers}")
    for size in args.sizes:
        with RemoteAws() as aws:
            account = prepare(aws.clients(), f"bench{size}")
            subnet = aws.client("ec2").create_subnet(
                VpcId=account.network.vpc_id, CidrBlock="10.42.16.0/20"
            )["Subnet"]["SubnetId"]
            ours = launch(aws, subnet, size, "prewire")
            theirs = launch(aws, subnet, size, "custodian") if not args.skip_custodian else []
            role = account.parameter("/prewire/aws/responder-role-arn")
            aws.set_cloud_model(args.cloud_model)
            contained = run_prewire(aws, role, ours, args.workers)
            _, throttled, _ = aws.model_counts()
            custodian = run_custodian(aws, account.isolation_group) if theirs else None
        report(size, contained, sum(throttled.values()), custodian)


if __name__ == "__main__":
    main()
