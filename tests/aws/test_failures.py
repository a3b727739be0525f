"""Bad input changes nothing; a failure halfway is recorded and a re-run completes the work."""

from __future__ import annotations

from typing import Any

import pytest

from prewire.core.evidence.verify import verify_case
from prewire.drill.aws.environment import PreparedAccount
from responders.aws import parameters
from responders.runtime import InputError, Status
from tests.aws.conftest import act, open_test_case, refused


def test_unknown_instance_is_bad_input_naming_the_region(account: PreparedAccount) -> None:
    case = open_test_case(account)
    with pytest.raises(InputError, match=r"not found in us-east-1: i-0123456789abcdef0.*--region"):
        act(case, "isolate-instance", account.victim.instance_id, "i-0123456789abcdef0")
    groups = account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])
    interfaces = groups["Reservations"][0]["Instances"][0]["NetworkInterfaces"]
    assert all(g["GroupId"] == account.network.web_group for e in interfaces for g in e["Groups"])
    assert case.custody is not None and case.custody.history() == []


def test_wrong_region_is_bad_input(account: PreparedAccount, emulator: Any) -> None:
    from responders.aws.opening import open_case

    clients = emulator.clients(region="eu-west-1")
    elsewhere = open_case(clients.assume(account.parameter(parameters.RESPONDER_ROLE_ARN)), "c-1")
    with pytest.raises(InputError, match="eu-west-1"):
        act(elsewhere, "snapshot-disks", account.victim.instance_id)


def test_access_denied_halfway_is_recorded_and_a_rerun_completes(account: PreparedAccount) -> None:
    """The AccessDenied is injected by an SDK hook (a recorded AWS error shape): moto does not
    enforce IAM. Everything else happens on the emulator."""
    case = open_test_case(account)
    ec2 = case.clients.ec2
    swaps: list[int] = []

    def hook(**_: Any) -> Any:
        # The interface's own call is the second change of the swap (the isolation group).
        swaps.append(1)
        if len(swaps) != 1:
            return None  # let the call reach the emulator
        return refused("UnauthorizedOperation", "not authorized")

    ec2.meta.events.register("before-call.ec2.ModifyNetworkInterfaceAttribute", hook)
    [failed] = act(case, "isolate-instance", account.victim.instance_id)
    ec2.meta.events.unregister("before-call.ec2.ModifyNetworkInterfaceAttribute", hook)
    assert failed.status is Status.FAILED
    assert "UnauthorizedOperation" in failed.message
    assert case.custody is not None
    [entry] = case.custody.history(target=account.victim.instance_id)
    assert entry.status == "failed"
    assert any(c.operation == "ModifyInstanceAttribute" for c in entry.calls)  # what was done
    assert any(c.error == "UnauthorizedOperation" for c in entry.calls)
    # the interface sits in the conversion group: re-run finishes from there
    [rerun] = act(case, "isolate-instance", account.victim.instance_id)
    assert rerun.status is Status.CHANGED
    interfaces = account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
        "Reservations"
    ][0]["Instances"][0]["NetworkInterfaces"]
    assert all([g["GroupId"] for g in e["Groups"]] == [account.isolation_group] for e in interfaces)
    assert not [c for c in rerun.calls if c.operation == "ModifyInstanceAttribute"]  # not redone
    # release still restores the original group, not the conversion group seen on re-run
    [released] = act(
        open_test_case(account, confirm_release=True),
        "release-instance",
        account.victim.instance_id,
    )
    assert released.status is Status.CHANGED
    interfaces = account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
        "Reservations"
    ][0]["Instances"][0]["NetworkInterfaces"]
    assert all(
        [g["GroupId"] for g in e["Groups"]] == [account.network.web_group] for e in interfaces
    )
    assert verify_case(case.require_store(), "case-1").ok


def test_many_targets_in_parallel_extend_one_intact_chain(account: PreparedAccount) -> None:
    ec2 = account.clients.ec2
    launched = ec2.run_instances(
        ImageId="ami-0a1b2c3d4e5f60718",
        MinCount=12,
        MaxCount=12,
        SubnetId=account.network.subnet_ids[0],
        SecurityGroupIds=[account.network.web_group],
    )["Instances"]
    targets = [i["InstanceId"] for i in launched]
    case = open_test_case(account)
    outcomes = act(case, "isolate-instance", *targets)
    assert [o.status for o in outcomes] == [Status.CHANGED] * 12
    result = verify_case(case.require_store(), "case-1")
    assert result.ok and result.entries == 12
