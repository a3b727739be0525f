"""Containment at scale: prewire vs Cloud Custodian on the same emulated AWS, same run.

For N = 10, 100 and 500 instances (each with a boot and a data volume) the embedded AWS answers
every request after an added latency (default 50 ms, like a real regional endpoint). prewire runs
`isolate-instance` and `snapshot-disks` (evidence protection, Auto Scaling and load balancer
checks, the conversion-then-isolation swap, tagged crash-consistent snapshots and a custody entry
per step) in a fresh process, timed from opening the case (its modules imported, no service model
loaded yet); Cloud Custodian (c7n, run from its own uv tool environment against the same emulator)
runs the equivalent policy: `snapshot` then `modify-security-groups` to the isolation group. Both
act on fresh instances. Wall time and API calls (counted by the emulator) are printed with the
ratio.

    python -m bench.containment [--sizes 10 100 500] [--latency-ms 50] [--workers 64]
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.remote import RemoteAws
from policies.checkov_run import uv_binary
from prewire.drill.environment import prepare
from prewire.emulator.aws import EmbeddedAws
from prewire.vocabulary import Cloud
from responders.aws.case import Options
from responders.aws.opening import open_case
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_action

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


def _contain(
    url: str, region: str, role: str, targets: list[str], workers: int
) -> tuple[float, list[str], dict[str, int]]:
    """The prewire side, in a fresh process as a responder starts: modules imported, no
    service model loaded yet (the seeding process has them all in memory)."""
    local = EmbeddedAws(region=region)
    local.url = url  # clients for the benchmark's emulator; this one is never started
    load_cloud(Cloud.AWS)
    clients = local.clients(max_pool=workers * 2).assume(role)
    started = time.perf_counter()
    case = open_case(clients, f"bench-{len(targets)}", options=Options(poll_seconds=0.1))
    outcomes = []
    for action in ("isolate-instance", "snapshot-disks"):
        outcomes += run_action(case, ACTIONS.get((Cloud.AWS, action)), targets, workers=workers)
    elapsed = time.perf_counter() - started
    failed = [o.message for o in outcomes if not o.ok]
    operations = collections.Counter(c.operation for o in outcomes for c in o.calls)
    return elapsed, failed, dict(operations)


def run_prewire(
    aws: RemoteAws, responder_role: str, targets: list[str], workers: int
) -> tuple[float, int, collections.Counter[str]]:
    before = aws.request_count
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        elapsed, failed, operations = pool.submit(
            _contain, aws.url, aws.region, responder_role, targets, workers
        ).result()
    calls = aws.request_count - before - 1  # the child's AssumeRole is not containment work
    if failed:
        raise SystemExit(f"prewire failed: {failed[0]}")
    return elapsed, calls, collections.Counter(operations)


def run_custodian(aws: RemoteAws, isolation_group: str) -> tuple[float, int, float]:
    environment = {**os.environ, **aws.environment(), "C7N_SKIP_PERSISTENCE": "1"}
    command = [uv_binary(), "tool", "run", "--from", C7N, "custodian"]
    started = time.perf_counter()
    subprocess.run([*command, "version"], check=True, capture_output=True, env=environment)
    startup = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        policy = Path(directory) / "policy.yml"
        policy.write_text(POLICY.format(group=isolation_group))
        before = aws.request_count
        started = time.perf_counter()
        done = subprocess.run(
            [
                *command,
                "run",
                "-s",
                directory,
                "--region",
                aws.region,
                "--cache-period",
                "0",
                str(policy),
            ],
            capture_output=True,
            text=True,
            env=environment,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"custodian failed: {done.stderr[-2000:]}")
    return elapsed, aws.request_count - before, startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=64)
    args = parser.parse_args()
    print(f"per-request latency {args.latency_ms:.0f} ms; prewire workers {args.workers}")
    print(
        f"{'N':>5} {'prewire s':>10} {'calls/inst':>10} {'custodian s':>12} {'calls/inst':>10}"
        f" {'speed-up':>9}"
    )
    for size in args.sizes:
        with RemoteAws() as aws:
            account = prepare(aws.clients(), f"bench{size}")
            subnet = aws.client("ec2").create_subnet(
                VpcId=account.network.vpc_id, CidrBlock="10.42.16.0/20"
            )["Subnet"]["SubnetId"]
            ours = launch(aws, subnet, size, "prewire")
            launch(aws, subnet, size, "custodian")
            aws.set_latency(args.latency_ms)
            prewire_s, prewire_calls, operations = run_prewire(
                aws, account.parameter("/prewire/aws/responder-role-arn"), ours, args.workers
            )
            custodian_s, custodian_calls, startup = run_custodian(aws, account.isolation_group)
        print(
            f"{size:>5} {prewire_s:>10.1f} {prewire_calls / size:>10.1f} {custodian_s:>12.1f} "
            f"{custodian_calls / size:>10.1f} {custodian_s / prewire_s:>8.1f}x"
        )
        per_instance = ", ".join(
            f"{op} {count / size:.1f}" for op, count in operations.most_common()
        )
        print(f"      prewire calls per instance: {per_instance}")
        print(f"      custodian process start-up (included above): {startup:.1f}s")


if __name__ == "__main__":
    main()
