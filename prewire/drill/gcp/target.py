"""The local GCP fake as a drill target: Compute, Cloud Storage, IAM, Cloud Logging and the
configuration lists on 127.0.0.1.

The drill seeds the workload the stack covers (a network, and a compromised instance: two disks
carrying the snapshot label, an external address, a service account with keys, what the attacker
left in Cloud Logging), loads the kit's rendered GCP stack into the fake (`gcp_provision`: the
locked buckets, sinks, flow logs, quarantine rules, snapshot schedule attached to the labelled
disks, responder role and account ...), gates on `prewire audit gcp`, checks that the stack's
notification filter passes the Security Command Center finding, and hands the notification to
`respond_to_finding`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies.live.gate import GateResult
from policies.live.gcp.audit import audit_project
from prewire.core.vocabulary import Cloud
from prewire.drill.gcp.provision import provision_gcp, stack_graph
from prewire.drill.gcp.victim import GcpVictim, seed_victim
from prewire.drill.inventory import gone
from prewire.drill.options import DrillOptions
from prewire.drill.scenarios import Scenario
from prewire.drill.target import Detection, Guide, Progress, Target, target_opener, try_commands
from prewire.drill.timeline import PROVISION_STEP, SEED_STEP, Timeline
from prewire.emulator.gcp import FakeGcp
from prewire.emulator.gcp.cloud_logging import matches
from responders.case import Options
from responders.gcp.discovery import discover
from responders.gcp.findings import evidence_root, respond_to_finding
from responders.gcp.session import GcpClients
from responders.gcp.snapshots import LABEL_CASE, label_value
from responders.gcp.store import GcsEvidenceStore
from stacks.gcp.detection import FINDING_FILTER

RETENTION_DAYS = 30
NOTES = (
    "Target: the local GCP fake (Compute, Cloud Storage, IAM, Cloud Logging and the list "
    "operations the audit reads, on 127.0.0.1); no GCP project was used. The fake serves no "
    "create operation for most kinds, so the rendered stack was loaded as the resources "
    "`pulumi up` leaves (the snapshot schedule attached by the stack's own code), then gated "
    "on `prewire audit gcp`. The fake does not enforce IAM: the audit checked the responder "
    "role and service account, the responder ran with the drill's credentials.",
    "The fake's Cloud Build writes a stand-in file for each VMDK export (it holds no disk "
    "contents): the export build, the wait, the write-once upload and the hash are real.",
    "The fake has no Security Command Center or Pub/Sub: the drill checked the finding against "
    "the stack's notification filter and handed the notification to respond_to_finding, the "
    "entry point a subscriber on the stack's subscription runs.",
)


@dataclass(frozen=True)
class GcpAccount:
    fake: FakeGcp
    clients: GcpClients
    evidence_bucket: str
    victim: GcpVictim


@dataclass(frozen=True)
class GcpInventory:
    resources: dict[str, frozenset[str]]
    instance_states: dict[str, str]
    evidence_objects: frozenset[str]

    def lost_since(self, before: Any) -> list[str]:
        assert isinstance(before, GcpInventory)
        problems = [
            f"instance {name} went from RUNNING to {self.instance_states.get(name, 'gone')}"
            for name, state in before.instance_states.items()
            if state == "RUNNING" and self.instance_states.get(name) != "RUNNING"
        ]
        for kind, names in before.resources.items():
            problems += gone(kind, names, self.resources.get(kind, frozenset()))
        return problems + gone("evidence object", before.evidence_objects, self.evidence_objects)


class GcpFakeTarget(Target):
    cloud = Cloud.GCP
    routing_lesson = (
        "Check the notification config's filter (state ACTIVE, severity HIGH or CRITICAL) and "
        "that its topic has the responder's subscription."
    )
    planning_lesson = (
        "Check the resource mapping in responders/gcp/findings.py and the auto-containment "
        "setting the scenario exercises."
    )

    def __init__(self) -> None:
        self.notes = list(NOTES)
        self._fake = FakeGcp().start()

    def close(self) -> None:
        self._fake.stop()

    def case_snapshots(self, account: GcpAccount, case: str) -> tuple[int, int]:
        snapshots = account.fake.compute.snapshots.values()
        label = label_value(case)
        taken = sum((s.get("labels") or {}).get(LABEL_CASE) == label for s in snapshots)
        return taken, len(account.victim.disks)

    def guide(self, account: GcpAccount) -> Guide:
        return Guide(
            cloud=Cloud.GCP,
            endpoints={"Google Cloud APIs": self._fake.url},
            environment={
                "PREWIRE_GCP_ENDPOINT": self._fake.url,
                "PREWIRE_GCP_POLL_SECONDS": "0",
                "GOOGLE_CLOUD_PROJECT": self._fake.project,
            },
            # The stack in the fake keeps logs RETENTION_DAYS: audit against that.
            commands=try_commands(
                Cloud.GCP,
                account.victim.instance,
                audit_options=["--retention-days", str(RETENTION_DAYS)],
            ),
        )

    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> GcpAccount:
        clients = GcpClients(
            self._fake.project, self._fake.credentials(), self._fake.url, poll_seconds=0.01
        )
        with timeline.step(SEED_STEP) as step:
            victim = seed_victim(self._fake, drill_id)
            step.detail = f"instance {victim.name} with {len(victim.disks)} labelled disks"
        progress("loading the rendered GCP stack into the local GCP fake")
        with timeline.step(PROVISION_STEP) as step:
            graph = stack_graph(self._fake.project, RETENTION_DAYS)
            done = provision_gcp(graph, self._fake, clients)
            step.detail = (
                f"{len(done.created)} resources loaded from the rendered stack; "
                f"{len(done.not_created)} kinds prewire does not read left out"
            )
        bucket = discover(clients).evidence_bucket
        if bucket is None:
            raise RuntimeError("the deployed stack has no bucket labelled as the evidence store")
        # A subscriber on the finding subscription is a warm process: the client libraries
        # (compute_v1 alone takes seconds to import) are loaded before the finding arrives.
        for warm in ("instances", "disks", "snapshots", "firewalls", "storage"):
            getattr(clients, warm)
        return GcpAccount(self._fake, clients, bucket, victim)

    def gate(self, account: GcpAccount) -> GateResult | None:
        return GateResult(audit_project(account.clients, retention_days=RETENTION_DAYS).findings)

    def summary(self, detail: dict[str, Any]) -> str:
        finding = detail["finding"]
        return f"{finding['category']} ({finding['severity']})"

    def detect(self, account: GcpAccount, detail: dict[str, Any]) -> Detection:
        if not matches(FINDING_FILTER, detail["finding"]):
            raise RuntimeError(
                "the stack's notification filter drops this finding: the responder would not run"
            )
        return Detection(detail, "held", "the stack's notification filter passes the finding")

    def respond(
        self, account: GcpAccount, event: dict[str, Any], scenario: Scenario
    ) -> dict[str, Any]:
        # The drill's subscriber exports the snapshots as VMDKs (the stack granted Cloud Build
        # what that needs: prewire:gcp.vmdkExport in the drill configuration).
        return respond_to_finding(
            event,
            account.clients,
            auto_contain=scenario.auto_contain,
            options=Options(export_vmdk=True),
        )

    def inventory(self, account: GcpAccount) -> GcpInventory:
        compute = account.fake.compute  # the fake's state: the drill lists what exists
        return GcpInventory(
            resources={
                "disk": frozenset(f"{z}/{n}" for z, n in compute.disks),
                "snapshot": frozenset(compute.snapshots),
                "service account": frozenset(account.fake.iam.accounts),
            },
            instance_states={
                f"{z}/{n}": str(i["status"]) for (z, n), i in compute.instances.items()
            },
            evidence_objects=frozenset(
                o.key for o in self.evidence_store(account, {}).list_objects("")
            ),
        )

    def evidence_store(self, account: GcpAccount, detail: dict[str, Any]) -> GcsEvidenceStore:
        root = evidence_root(detail.get("finding") or {})
        return GcsEvidenceStore(account.clients, account.evidence_bucket, root)


FindingFor = Callable[[GcpAccount, datetime], dict[str, Any]]


def finding_on(resource: Callable[[GcpVictim], str], category: str) -> FindingFor:
    """A HIGH Security Command Center finding on one of the victim's resources."""
    return lambda account, when: _finding(account, resource(account.victim), category, when)


finding_for = finding_on(
    lambda v: f"//compute.googleapis.com/{v.instance}",
    "Execution: Cryptocurrency Mining Hash Match",
)
service_finding_for = finding_on(
    lambda v: f"//run.googleapis.com/{v.run_service}", "Execution: Malicious script executed"
)
cluster_finding_for = finding_on(
    lambda v: f"//container.googleapis.com/{v.cluster}",
    "Execution: Added Malicious Binary Executed",
)


def _finding(account: GcpAccount, resource: str, category: str, when: datetime) -> dict[str, Any]:
    """The notification Security Command Center publishes, as the stack's topic carries it."""
    project = f"projects/{account.fake.project}"
    return {
        "notificationConfigName": f"{project}/locations/global/notificationConfigs/"
        "prewire-findings",
        "finding": {
            "name": f"{project}/sources/1/locations/global/findings/{uuid.uuid4().hex}",
            "resourceName": resource,
            "state": "ACTIVE",
            "category": category,
            "severity": "HIGH",
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sourceProperties": {"prewire-drill": "true"},
        },
    }


@target_opener(Cloud.GCP)
def open_gcp(options: DrillOptions) -> Target:
    """The local GCP fake; it starts when the target opens."""
    return GcpFakeTarget()
