"""GCP responder tests run against the local fake of the Compute and Cloud Storage REST APIs
(HTTP on 127.0.0.1, one per worker), reset per test with what the stack prewires (a locked
evidence bucket, the quarantine firewall rules of the network) and a victim instance."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from prewire.emulator.gcp import FakeGcp
from prewire.vocabulary import Cloud
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
    clients = GcpClients("prewire-fake", gcp_fake.credentials(), gcp_fake.url, poll_seconds=0.01)
    return Project(gcp_fake, clients)


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
