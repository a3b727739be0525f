"""protect-instance, isolate-instance and release-instance against the embedded AWS."""

from __future__ import annotations

from typing import Any

import pytest

from prewire.drill.aws.environment import PreparedAccount
from responders.runtime import InputError, Status
from tests.aws.conftest import act, open_test_case


def instance(account: PreparedAccount) -> dict[str, Any]:
    found = account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])
    return dict(found["Reservations"][0]["Instances"][0])


def attribute(account: PreparedAccount, name: str, key: str) -> Any:
    ec2: Any = account.clients.ec2
    found = ec2.describe_instance_attribute(InstanceId=account.victim.instance_id, Attribute=name)
    return found[key]["Value"]


def interface_groups(account: PreparedAccount) -> dict[str, list[str]]:
    return {
        e["NetworkInterfaceId"]: [g["GroupId"] for g in e["Groups"]]
        for e in instance(account)["NetworkInterfaces"]
    }


def in_target_group(account: PreparedAccount) -> bool:
    health = account.clients.elbv2.describe_target_health(
        TargetGroupArn=account.victim.target_group_arn
    )["TargetHealthDescriptions"]
    return any(h["Target"]["Id"] == account.victim.instance_id for h in health)


def test_victim_starts_exposed(account: PreparedAccount) -> None:
    assert all(g == [account.network.web_group] for g in interface_groups(account).values())
    assert in_target_group(account)
    assert attribute(account, "disableApiTermination", "DisableApiTermination") is False


def test_isolate_protects_evidence_then_cuts_every_interface(account: PreparedAccount) -> None:
    case = open_test_case(account)
    [outcome] = act(case, "isolate-instance", account.victim.instance_id)
    assert outcome.status is Status.CHANGED, outcome.message
    assert attribute(account, "disableApiTermination", "DisableApiTermination") is True
    assert (
        attribute(account, "instanceInitiatedShutdownBehavior", "InstanceInitiatedShutdownBehavior")
        == "stop"
    )
    assert all(
        not m["Ebs"]["DeleteOnTermination"] for m in instance(account)["BlockDeviceMappings"]
    )
    assert all(groups == [account.isolation_group] for groups in interface_groups(account).values())
    assert not in_target_group(account)
    memberships = account.clients.autoscaling.describe_auto_scaling_instances(
        InstanceIds=[account.victim.instance_id]
    )["AutoScalingInstances"]
    assert memberships == []
    group = account.clients.autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[account.victim.auto_scaling_group]
    )["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 1  # a replacement keeps the service's capacity
    assert instance(account)["State"]["Name"] == "running"  # never stopped


def test_isolation_passes_through_the_conversion_group_and_is_recorded(
    account: PreparedAccount,
) -> None:
    case = open_test_case(account)
    [outcome] = act(case, "isolate-instance", account.victim.instance_id)
    # Conversion first, then isolation; an only interface's first change goes through
    # ModifyInstanceAttribute (another API's bucket), the second through the interface's API.
    swaps = [(c.operation, c.params["Groups"]) for c in outcome.calls if "Groups" in c.params]
    assert [groups for _, groups in swaps] == [
        [account.conversion_group],
        [account.isolation_group],
    ] * len(swaps[::2])
    assert swaps[1][0] == "ModifyNetworkInterfaceAttribute"
    assert all(c.request_id for c in outcome.calls)
    assert case.custody is not None
    [entry] = case.custody.history(target=account.victim.instance_id)
    assert entry.action == "isolate-instance" and entry.status == "changed"
    recorded = entry.state["network_interfaces"]
    assert recorded and all(g == [account.network.web_group] for g in recorded.values())
    assert entry.state["auto_scaling_group"] == account.victim.auto_scaling_group
    assert {c["operation"] for c in [c.__dict__ for c in entry.calls]} >= {
        "ModifyInstanceAttribute",
        "DetachInstances",
        "DeregisterTargets",
        "ModifyNetworkInterfaceAttribute",
        "CreateTags",
    }


def test_isolating_twice_changes_nothing_and_says_so(account: PreparedAccount) -> None:
    case = open_test_case(account)
    act(case, "isolate-instance", account.victim.instance_id)
    [again] = act(case, "isolate-instance", account.victim.instance_id)
    assert again.status is Status.UNCHANGED
    assert "already isolated" in again.message
    assert not [c for c in again.calls if c.operation.startswith("Modify")]


def test_dry_run_prints_the_calls_and_changes_nothing(account: PreparedAccount) -> None:
    case = open_test_case(account, dry_run=True)
    [outcome] = act(case, "isolate-instance", account.victim.instance_id)
    assert outcome.status is Status.PLANNED
    planned = [str(p) for p in outcome.planned]
    assert any(
        p.startswith("ec2.ModifyNetworkInterfaceAttribute(") and account.isolation_group in p
        for p in planned
    )
    assert any(
        "DetachInstances" in p and "ShouldDecrementDesiredCapacity=False" in p for p in planned
    )
    assert all(g == [account.network.web_group] for g in interface_groups(account).values())
    assert attribute(account, "disableApiTermination", "DisableApiTermination") is False
    assert in_target_group(account)
    assert case.custody is None  # nothing written, not even to the custody log


def test_release_needs_confirmation_and_restores_the_recorded_state(
    account: PreparedAccount,
) -> None:
    case = open_test_case(account)
    act(case, "isolate-instance", account.victim.instance_id)
    with pytest.raises(InputError, match="--yes"):
        act(case, "release-instance", account.victim.instance_id)
    confirmed = open_test_case(account, confirm_release=True)
    [outcome] = act(confirmed, "release-instance", account.victim.instance_id)
    assert outcome.status is Status.CHANGED
    assert all(g == [account.network.web_group] for g in interface_groups(account).values())
    assert in_target_group(account)
    # evidence protections stay on after release
    assert attribute(account, "disableApiTermination", "DisableApiTermination") is True


def test_missing_isolation_group_is_bad_input_before_any_change(account: PreparedAccount) -> None:
    case = open_test_case(account)
    case.prewired.isolation_groups.clear()
    with pytest.raises(InputError, match="no isolation group"):
        act(case, "isolate-instance", account.victim.instance_id)
    assert attribute(account, "disableApiTermination", "DisableApiTermination") is False


def test_containment_writes_only_what_the_responder_role_may(account: PreparedAccount) -> None:
    """The role's conditions, checked against what the responders really do: every instance tag
    written is `prewire:*`, and every group given to an interface carries prewire's role tag
    (the emulator does not evaluate IAM conditions, so the behaviour is compared with them)."""
    before = {t["Key"]: t["Value"] for t in instance(account).get("Tags", [])}
    case = open_test_case(account)
    [outcome] = act(case, "isolate-instance", account.victim.instance_id)
    assert outcome.status is Status.CHANGED, outcome.message
    after = {t["Key"]: t["Value"] for t in instance(account).get("Tags", [])}
    written = {k for k in after if before.get(k) != after[k]}
    assert written and all(k.startswith("prewire:") for k in written)
    given = {g for _, change in outcome.state.get("interfaces", {}).items() for g in change}
    given |= {account.isolation_group}
    groups = account.clients.ec2.describe_security_groups(GroupIds=sorted(given))["SecurityGroups"]
    roles = {{t["Key"]: t["Value"] for t in g.get("Tags", [])}.get("prewire:role") for g in groups}
    assert roles <= {"isolation", "conversion"} and "isolation" in roles
