"""The local Azure fake as a drill target: ARM, Blob and Log Analytics on 127.0.0.1 (HTTPS).

The drill deploys the kit's rendered Azure stack into the fake through the management API,
seeds a compromised VM, gates on `prewire audit azure`, raises a Defender alert in the export
schema, shows that the stack's continuous-export automation routes it to the responder's Event
Hub (by evaluating the deployed automation's rules, as Defender would) and hands the alert to
`respond_to_alert`, the entry point a Function on that hub runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies.live.azure.audit import audit_subscription
from policies.live.gate import GateResult
from prewire.core.vocabulary import Cloud
from prewire.drill.azure import detection as azure_detection
from prewire.drill.azure.account import AzurePrewired, deploy_stack
from prewire.drill.azure.victim import AzureVictim, seed_victim
from prewire.drill.inventory import gone
from prewire.drill.options import DrillOptions
from prewire.drill.scenarios import Scenario
from prewire.drill.target import (
    Detection,
    Guide,
    Progress,
    Target,
    simulate_attack,
    target_opener,
    try_commands,
)
from prewire.drill.timeline import PROVISION_STEP, SEED_STEP, Timeline
from prewire.emulator.azure import FakeAzure
from responders.azure.alerts import evidence_root, respond_to_alert
from responders.azure.disk_snapshots import SNAPSHOT_TAG_CASE
from responders.azure.session import AzureClients
from responders.azure.store import BlobEvidenceStore, account_blob_endpoint

NOTES = (
    "Target: the local Azure fake (Resource Manager, Blob and Log Analytics on 127.0.0.1 over "
    "HTTPS); no Azure subscription was used. The fake does not enforce RBAC: the audit checked "
    "the responder identity's roles, the responder ran with the drill's credentials.",
    "The fake has no Defender for Cloud and no Event Hub data plane: the drill raised the alert "
    "in Defender's export schema, evaluated the deployed export automation's rules against it "
    "and handed it to the handler a Function on the alert hub runs (respond_to_alert).",
)
# What an inventory covers: the evidence a response could destroy.
INVENTORIED = (
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/disks",
    "Microsoft.Compute/snapshots",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
)


@dataclass(frozen=True)
class AzureAccount:
    fake: FakeAzure
    clients: AzureClients
    prewired: AzurePrewired
    victim: AzureVictim


@dataclass(frozen=True)
class AzureInventory:
    resources: dict[str, frozenset[str]]  # ARM type -> ids
    evidence_blobs: frozenset[str]

    def lost_since(self, before: Any) -> list[str]:
        assert isinstance(before, AzureInventory)
        problems = []
        for kind, ids in before.resources.items():
            problems += gone(kind.rsplit("/", 1)[1], ids, self.resources.get(kind, frozenset()))
        return problems + gone("evidence blob", before.evidence_blobs, self.evidence_blobs)


class AzureFakeTarget(Target):
    cloud = Cloud.AZURE
    routing_lesson = (
        "Check the export automation's rule sets (prewire:azure alert severities) and that its "
        "Event Hub action points at the hub tagged prewire:role=alert-hub."
    )
    planning_lesson = (
        "Check the resource mapping in responders/azure/alerts.py and the auto-containment "
        "setting the scenario exercises."
    )

    def __init__(self) -> None:
        self.notes = list(NOTES)
        self._fake = FakeAzure().start()

    def close(self) -> None:
        self._fake.stop()

    def case_snapshots(self, account: AzureAccount, case: str) -> tuple[int, int]:
        snapshots = account.fake.state.of_type("Microsoft.Compute/snapshots")
        taken = sum((s.get("tags") or {}).get(SNAPSHOT_TAG_CASE) == case for s in snapshots)
        return taken, len(account.victim.disk_ids)

    def guide(self, account: AzureAccount) -> Guide:
        return Guide(
            cloud=Cloud.AZURE,
            endpoints={"Azure Resource Manager": self._fake.url},
            environment={
                "PREWIRE_AZURE_ARM_ENDPOINT": self._fake.url,
                "PREWIRE_AZURE_LOGS_ENDPOINT": f"{self._fake.url}/loganalytics",
                "PREWIRE_AZURE_CA_BUNDLE": str(self._fake.certificate),
                "PREWIRE_AZURE_POLL_SECONDS": "0",
                "AZURE_SUBSCRIPTION_ID": self._fake.subscription,
            },
            commands=try_commands(Cloud.AZURE, account.victim.vm_id),
        )

    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> AzureAccount:
        progress("provisioning the kit's Azure stack into the local Azure fake")
        with timeline.step(PROVISION_STEP) as step:
            prewired = deploy_stack(self._fake)
            step.detail = (
                f"{len(prewired.provisioned.created)} resources created; not created: "
                + (
                    ", ".join(f"{k} ({v})" for k, v in prewired.provisioned.not_created.items())
                    or "none"
                )
            )
        progress("seeding the victim VM")
        with timeline.step(SEED_STEP) as step:
            victim = seed_victim(self._fake, drill_id, prewired)
            step.detail = f"VM {victim.vm_id.rsplit('/', 1)[1]} with {len(victim.disk_ids)} disks"
        return AzureAccount(self._fake, self._fake.clients(), prewired, victim)

    def gate(self, account: AzureAccount) -> GateResult:
        return GateResult(audit_subscription(account.clients).findings)

    def summary(self, detail: dict[str, Any]) -> str:
        return f"{detail['AlertType']} ({detail['Severity']})"

    def attack(self, scenario: Scenario, account: AzureAccount, start: datetime) -> bool:
        return simulate_attack(scenario, account, start)

    def detect(self, account: AzureAccount, detail: dict[str, Any]) -> Detection:
        found = azure_detection.route(account.clients, detail)
        automation = found.automation.rsplit("/", 1)[1]
        hub = found.hub.rsplit("/", 1)[1]
        return Detection(detail, "held", f"export automation {automation} sends it to hub {hub}")

    def respond(
        self, account: AzureAccount, event: dict[str, Any], scenario: Scenario
    ) -> dict[str, Any]:
        return respond_to_alert(event, account.clients, auto_contain=scenario.auto_contain)

    def inventory(self, account: AzureAccount) -> AzureInventory:
        # Read from the fake's own state, the ground truth, not through the paginated API (two
        # items a page, to exercise the responders' paging): that was most of a scenario's time.
        resources = {
            kind: frozenset(str(r["id"]).lower() for r in account.fake.state.of_type(kind))
            for kind in INVENTORIED
        }
        store = self.evidence_store(account, {})
        blobs = frozenset(o.key for o in store.list_objects(""))
        return AzureInventory(resources, blobs)

    def evidence_store(self, account: AzureAccount, detail: dict[str, Any]) -> BlobEvidenceStore:
        evidence = account.prewired.evidence_account_id
        endpoint = account_blob_endpoint(account.clients, evidence)
        return BlobEvidenceStore(account.clients, evidence, endpoint, evidence_root(detail))


@target_opener(Cloud.AZURE)
def open_azure(options: DrillOptions) -> Target:
    """The local Azure fake; it starts when the target opens."""
    return AzureFakeTarget()
