"""collect-logs, collect-cluster and the contain-instance playbook on the Azure fake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.core.evidence.verify import verify_case
from prewire.core.vocabulary import Cloud
from responders.registry import ACTIONS, load_cloud
from responders.runtime import Status
from tests.azure.conftest import Subscription, act, open_test_case, play


def _artifact(case, outcome, suffix: str) -> Any:
    [artifact] = [a for a in outcome.artifacts if a.key.endswith(suffix)]
    with case.require_store().open(artifact.key) as body:
        return json.loads(body.read())


def test_vm_logs_cover_the_vm_its_disks_and_interfaces(subscription: Subscription) -> None:
    case = open_test_case(subscription)
    [outcome] = act(case, "collect-logs", subscription.victim.vm_id)

    assert outcome.status is Status.COLLECTED, outcome.message
    events = _artifact(case, outcome, "activity-log.json")["events"]
    assert len(events[subscription.victim.vm_id]) == 2
    assert [e["operationName"]["value"] for e in events[subscription.victim.disk_ids[1]]] == [
        "Microsoft.Compute/disks/beginGetAccess/action"
    ]
    assert subscription.victim.resource_group not in events  # only the VM's own resources


def test_cluster_logs_are_the_clusters_own_rows(subscription: Subscription) -> None:
    case = open_test_case(subscription)
    [outcome] = act(case, "collect-logs", subscription.victim.cluster_id)

    assert outcome.status is Status.COLLECTED, outcome.message
    audit = _artifact(case, outcome, "AKSAudit.json")
    assert len(audit) == 2, "the other cluster's row is not collected"
    assert {row["_ResourceId"] for row in audit} == {subscription.victim.cluster_id.lower()}
    assert len(_artifact(case, outcome, "AKSAuditAdmin.json")) == 2
    # AKSControlPlane was never enabled: reported, not failed.
    assert any("no AKSControlPlane table" in w for w in outcome.warnings)


def test_the_log_window_is_applied(subscription: Subscription) -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) - timedelta(minutes=25)
    case = open_test_case(subscription, window_start=start)
    [outcome] = act(case, "collect-logs", subscription.victim.cluster_id)
    assert len(_artifact(case, outcome, "AKSAudit.json")) == 1


def _flow_blobs(subscription: Subscription) -> list[str]:
    return sorted(
        name
        for (_, container, name) in subscription.fake.blobs.blobs
        if container == "insights-logs-flowlogflowevent"
    )


def test_flow_records_are_the_interfaces_own_hours_in_the_window(
    subscription: Subscription,
) -> None:
    [seeded] = _flow_blobs(subscription)
    account = next(a for (a, c, n) in subscription.fake.blobs.blobs if n == seeded)
    # Network Watcher's other blobs: another interface in the same hour, and this interface's
    # records from two days before the window.
    other_mac = seeded.replace("macAddress=000D3A4C1B2E", "macAddress=000D3AFFFFFF")
    hour = seeded.split("/y=")[1].split("/m=00/")[0]  # YYYY/m=MM/d=DD/h=HH
    old = seeded.replace(f"/y={hour}/", "/y=2020/m=01/d=01/h=00/")
    for name in (other_mac, old):
        subscription.fake.blobs.put(account, "insights-logs-flowlogflowevent", name, "{}")

    case = open_test_case(subscription)
    [outcome] = act(case, "collect-logs", subscription.victim.vm_id)

    kept = [a for a in outcome.artifacts if "/flow-logs/" in a.key]
    assert [a.description.split(": ", 1)[1] for a in kept] == [
        f"insights-logs-flowlogflowevent/{seeded}"
    ]
    assert "1 flow log hour blob(s)" in outcome.message


def test_a_vm_no_flow_log_covers_is_reported_not_failed(subscription: Subscription) -> None:
    for flow_log in subscription.fake.state.of_type("Microsoft.Network/networkWatchers/flowLogs"):
        flow_log["properties"]["targetResourceId"] += "-elsewhere"
        subscription.fake.state.put(flow_log)
    case = open_test_case(subscription)
    [outcome] = act(case, "collect-logs", subscription.victim.vm_id)
    assert outcome.status is Status.COLLECTED, outcome.message
    assert not [a for a in outcome.artifacts if "/flow-logs/" in a.key]
    assert any("no flow log covers" in w for w in outcome.warnings)


def test_cluster_state_is_collected_command_by_command(subscription: Subscription) -> None:
    commands = subscription.fake.services.cluster_commands[subscription.victim.cluster_id.lower()]
    failing = "kubectl get serviceaccounts --all-namespaces -o yaml"
    del commands[failing]
    case = open_test_case(subscription)

    [outcome] = act(case, "collect-cluster", subscription.victim.cluster_id)

    assert outcome.status is Status.COLLECTED, outcome.message
    assert len(outcome.artifacts) == 7  # the failed command's output is kept too
    assert any(failing in w for w in outcome.warnings)
    [nodes] = [a for a in outcome.artifacts if "get-nodes" in a.key]
    with case.require_store().open(nodes.key) as body:
        assert body.read().startswith(b"$ kubectl get nodes -o wide\n# exit code 0\n")


def test_contain_instance_runs_every_step_and_the_evidence_verifies(
    subscription: Subscription,
) -> None:
    case = open_test_case(subscription)
    outcomes = play(case, "contain-instance", subscription.victim.vm_id)

    assert [(o.action, o.status.value) for o in outcomes] == [
        ("protect-instance", "changed"),
        ("snapshot-disks", "changed"),
        ("isolate-instance", "changed"),
        ("quarantine-identity", "changed"),
        ("collect-logs", "collected"),
    ]
    result = verify_case(case.require_store(), "case-1")
    assert result.ok, result.problems
    # Two VHDs, the Activity Log, and the interface's flow log hour blob copied byte for byte.
    assert result.entries == 5 and result.artifacts == 4
    [logs] = [o for o in outcomes if o.action == "collect-logs"]
    [flows] = [a for a in logs.artifacts if "/flow-logs/" in a.key]
    assert flows.key.split("/flow-logs/")[1].startswith("000D3A4C1B2E/")
    copied = case.require_store().open(flows.key).read()
    assert json.loads(copied)["records"][0]["macAddress"] == "000D3A4C1B2E"


def _rbac(operation: str) -> str:
    """The RBAC operation a request needs: "PUT Microsoft.X/y" -> "Microsoft.X/y/write"."""
    method, path = operation.split(" ", 1)
    if method == "POST":
        return f"{path}/action"
    return (
        f"{path}/{ {'GET': 'read', 'PUT': 'write', 'PATCH': 'write', 'DELETE': 'delete'}[method] }"
    )


@pytest.mark.parametrize(
    ("action", "target"),
    [
        ("isolate-instance", "vm_id"),
        ("quarantine-identity", "vm_id"),
        ("snapshot-disks", "vm_id"),
        ("collect-logs", "vm_id"),
        ("collect-cluster", "cluster_id"),
    ],
)
def test_every_arm_call_is_covered_by_a_declared_permission(
    subscription: Subscription, action: str, target: str
) -> None:
    load_cloud(Cloud.AZURE)
    spec = ACTIONS.get((Cloud.AZURE, action))
    [outcome] = act(open_test_case(subscription), action, getattr(subscription.victim, target))
    assert outcome.ok, outcome.message
    declared = {p.action.lower() for p in spec.permissions}
    used = {
        _rbac(c.operation).lower()
        for c in outcome.calls
        if c.service.startswith("Microsoft.") and c.operation.split(" ")[0] != "GET"
    }
    # Reads of the lock, snapshot or tag resources are implied by their write permission.
    assert used - declared == set(), f"{action} uses undeclared {used - declared}"
