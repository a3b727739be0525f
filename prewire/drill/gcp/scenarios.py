"""GCP drill scenarios, on the drills framework of `prewire.drill.scenarios`."""

from __future__ import annotations

from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.gcp.target import (
    GcpAccount,
    cluster_finding_for,
    finding_for,
    service_finding_for,
)
from prewire.drill.gcp.victim import ATTACKER
from prewire.drill.scenarios import (
    COMMON,
    Expectation,
    Scenario,
    ScenarioRun,
    not_collected,
    register,
    stored_text,
)
from responders.gcp.discovery import QUARANTINE_TAG
from responders.gcp.snapshots import LABEL_CASE, LABEL_DISK, label_value

GcpRun = ScenarioRun[GcpAccount]
# Calls that would stop, reset, suspend or delete the instance: none may be sent.
DESTRUCTIVE = ("/stop", "/reset", "/suspend", "/delete")


def _instance(run: GcpRun) -> dict[str, Any]:
    victim = run.account.victim
    return run.account.fake.compute.instances[(victim.zone, victim.name)]


def _isolated(run: GcpRun) -> str | None:
    instance = _instance(run)
    problems = []
    if QUARANTINE_TAG not in instance["tags"]["items"]:
        problems.append("no quarantine tag")
    external = [c for i in instance["networkInterfaces"] for c in i["accessConfigs"]]
    if external:
        problems.append(f"{len(external)} external address(es) left")
    return "; ".join(problems) or None


def _identity_disabled(run: GcpRun) -> str | None:
    iam = run.account.fake.iam
    email = run.account.victim.service_account
    enabled_keys = [
        k for k in iam.keys[email] if k["keyType"] == "USER_MANAGED" and not k["disabled"]
    ]
    if not iam.accounts[email]["disabled"]:
        return f"{email} is still enabled"
    return f"{len(enabled_keys)} user-managed key(s) still enabled" if enabled_keys else None


def _disks_snapshotted(run: GcpRun) -> str | None:
    labelled = {
        s["labels"].get(LABEL_DISK)
        for s in run.account.fake.compute.snapshots.values()
        if s["labels"].get(LABEL_CASE) == label_value(run.case_id)
    }
    missing = [d for d in run.account.victim.disks if label_value(d) not in labelled]
    return f"no snapshot labelled with the case for {', '.join(missing)}" if missing else None


def _disks_exported(run: GcpRun) -> str | None:
    """Every case snapshot has a VMDK artifact whose recorded hash is that of the stored bytes."""
    recorded = {
        a.key.rsplit("/", 1)[-1].removesuffix(".vmdk"): a
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == "snapshot-disks"
        for a in entry.artifacts
        if a.key.endswith(".vmdk")
    }
    snapshots = [
        name
        for name, s in run.account.fake.compute.snapshots.items()
        if s["labels"].get(LABEL_CASE) == label_value(run.case_id)
    ]
    missing = [s for s in snapshots if s not in recorded]
    if missing or not snapshots:
        return f"no VMDK recorded for {', '.join(missing) or 'any snapshot'}"
    for name, artifact in recorded.items():
        if run.store.sha256_of(artifact.key)[0] != artifact.sha256:
            return f"{name}.vmdk does not match its recorded SHA-256"
    return None


def _logs_collected(run: GcpRun) -> str | None:
    keys = [
        a.key
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == "collect-logs"
        for a in entry.artifacts
    ]
    return None if any(k.endswith("logs.jsonl") for k in keys) else "collect-logs stored no logs"


def _flows_collected(run: GcpRun) -> str | None:
    """The instance's flow to the attacker's address, in the case's flow records."""
    return not_collected(
        stored_text(run, "collect-logs", "flow-logs.jsonl"),
        (
            ("the flow to the attacker", ATTACKER),
            ("the instance as its source", f'"vm_name": "{run.account.victim.name}"'),
        ),
    )


def _service_logs_collected(run: GcpRun) -> str | None:
    """The container's log line and the runtime account's read elsewhere are both collected."""
    return not_collected(
        stored_text(run, "collect-logs", "logs.jsonl"),
        (
            ("the container's output", ATTACKER),
            ("the runtime account's actions", run.account.victim.run_account),
        ),
    )


def _cluster_collected(run: GcpRun) -> str | None:
    """The attacker's pod from the cluster's API and the exec from its audit log."""
    return not_collected(
        stored_text(run, "collect-cluster", "pods.json")
        + stored_text(run, "collect-logs", "logs.jsonl"),
        (("the attacker's pod", "miner-5f4"), ("the exec into it", "pods.exec.create")),
    )


def _cluster_untouched(run: GcpRun) -> str | None:
    writes = [f"{m} {p}" for m, p, _ in run.account.fake.gke.api_requests if m != "GET"]
    return "; ".join(writes) or None


def _never_stopped(run: GcpRun) -> str | None:
    name = f"/instances/{run.account.victim.name}"
    sent = [
        f"{method} {path}"
        for method, path in run.account.fake.requests
        if name in path and path.split("?")[0].endswith(DESTRUCTIVE)
    ]
    return "; ".join(sent) or None


register(
    Scenario(
        name="gce-compromise",
        summary="SCC finding on an instance: protect, snapshot, isolate, disable its identity",
        auto_contain=True,
        response="playbook contain-instance",
        finding=finding_for,
        cloud=Cloud.GCP,
        expectations=(
            *COMMON,
            Expectation(
                "quarantine tag on, no external address left",
                _isolated,
                "Deploy the stack with the network in prewire:gcp.networks (quarantine rules) "
                "and let the responder set tags and delete access configs.",
            ),
            Expectation(
                "the instance's service account and its keys are disabled",
                _identity_disabled,
                "The responder needs iam.serviceAccounts.disable and serviceAccountKeys.disable.",
            ),
            Expectation(
                "every disk snapshotted with the case label",
                _disks_snapshotted,
                "The responder needs compute.disks.createSnapshot and compute.snapshots.create.",
            ),
            Expectation(
                "every snapshot exported as a VMDK whose stored hash matches",
                _disks_exported,
                "Deploy with prewire:gcp.vmdkExport (Cloud Build's roles) and run snapshot-disks "
                "with --export-vmdk; the responder needs cloudbuild.builds.create and .get.",
            ),
            Expectation(
                "Cloud Logging entries of the instance collected",
                _logs_collected,
                "The responder needs logging.logEntries.list and logging.privateLogEntries.list.",
            ),
            Expectation(
                "the instance's VPC flow records collected",
                _flows_collected,
                "Deploy the stack with the network in prewire:gcp.networks (its VPC Flow Logs "
                "configuration); flow records are Cloud Logging entries of the vpc_flows log.",
            ),
            Expectation(
                "the instance was never stopped, reset or deleted",
                _never_stopped,
                "A responder sent a power or delete call: evidence in memory is lost.",
            ),
        ),
    )
)
register(
    Scenario(
        name="cloud-run-compromise",
        summary="SCC finding on a Cloud Run service: its logs and its runtime account's actions",
        auto_contain=True,
        response="playbook preserve-service",
        finding=service_finding_for,
        cloud=Cloud.GCP,
        expectations=(
            *COMMON,
            Expectation(
                "the service's logs and its runtime account's actions collected",
                _service_logs_collected,
                "The responder needs run.services.get, logging.logEntries.list and "
                "logging.privateLogEntries.list; the stack's log bucket keeps Cloud Run logs.",
            ),
        ),
    )
)
register(
    Scenario(
        name="gke-compromise",
        summary="SCC finding on a GKE cluster: its state from the Kubernetes API, then its logs",
        auto_contain=True,
        response="playbook investigate-cluster",
        finding=cluster_finding_for,
        cloud=Cloud.GCP,
        expectations=(
            *COMMON,
            Expectation(
                "the attacker's pod and the exec into it collected",
                _cluster_collected,
                "The responder needs container.clusters.get and the container.*.list permissions; "
                "the cluster must log its API server (prewire:gcp.gkeLogging).",
            ),
            Expectation(
                "nothing written to the cluster",
                _cluster_untouched,
                "collect-cluster only reads: a write to the Kubernetes API is a defect.",
            ),
        ),
    )
)
