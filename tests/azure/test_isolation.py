"""isolate-instance, protect-instance and release-instance on the Azure fake."""

from __future__ import annotations

import pytest

from responders.runtime import InputError, Status
from tests.azure.conftest import Subscription, act, open_test_case

LOCKS = "/providers/Microsoft.Authorization/locks/prewire-evidence"


def _group_of_nic(subscription: Subscription) -> str | None:
    nic = subscription.resource(subscription.victim.nic_id)
    return (nic["properties"].get("networkSecurityGroup") or {}).get("id")


def test_isolation_swaps_every_interface_and_locks_the_evidence(
    subscription: Subscription,
) -> None:
    victim = subscription.victim
    case = open_test_case(subscription)

    [outcome] = act(case, "isolate-instance", victim.vm_id)

    assert outcome.status is Status.CHANGED, outcome.message
    assert _group_of_nic(subscription) == subscription.prewired.isolation_nsg_id
    assert outcome.state["network_interfaces"] == {victim.nic_id: victim.web_nsg_id}
    for resource in (victim.vm_id, *victim.disk_ids, victim.nic_id):
        lock = subscription.resource(resource + LOCKS)
        assert lock["properties"]["level"] == "CanNotDelete"
    tags = subscription.resource(victim.vm_id)["tags"]
    assert tags["prewire:case"] == "case-1" and "prewire:isolated" in tags
    writes = [c for c in outcome.calls if c.operation == "PUT Microsoft.Network/networkInterfaces"]
    assert writes and writes[0].request_id
    assert (
        writes[0]
        .params["properties"]["networkSecurityGroup"]["id"]
        .endswith("prewire-isolation-westeurope")
    )


def test_a_rerun_changes_nothing(subscription: Subscription) -> None:
    case = open_test_case(subscription)
    act(case, "isolate-instance", subscription.victim.vm_id)
    [again] = act(open_test_case(subscription), "isolate-instance", subscription.victim.vm_id)
    assert again.status is Status.UNCHANGED
    assert not [c for c in again.calls if c.operation.startswith("PUT")]


def test_release_restores_the_recorded_group_and_keeps_the_locks(
    subscription: Subscription,
) -> None:
    victim = subscription.victim
    act(open_test_case(subscription), "isolate-instance", victim.vm_id)

    [released] = act(
        open_test_case(subscription, confirm_release=True), "release-instance", victim.vm_id
    )

    assert released.status is Status.CHANGED, released.message
    assert _group_of_nic(subscription) == victim.web_nsg_id
    assert subscription.fake.state.get(victim.vm_id + LOCKS) is not None


def test_release_needs_confirmation(subscription: Subscription) -> None:
    act(open_test_case(subscription), "isolate-instance", subscription.victim.vm_id)
    with pytest.raises(InputError, match="--yes"):
        act(open_test_case(subscription), "release-instance", subscription.victim.vm_id)


def test_dry_run_plans_and_changes_nothing(subscription: Subscription) -> None:
    before = dict(subscription.fake.state.resources)
    [outcome] = act(
        open_test_case(subscription, dry_run=True), "isolate-instance", subscription.victim.vm_id
    )
    assert outcome.status is Status.PLANNED or outcome.planned
    assert {p.operation for p in outcome.planned} >= {
        "begin_create_or_update",
        "begin_create_or_update_by_id",
    }
    assert subscription.fake.state.resources == before


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("vm-123", "not an Azure resource id"),
        (
            "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/x/providers/"
            "Microsoft.Compute/virtualMachines/web",
            "is in subscription",
        ),
        ("{group}/providers/Microsoft.Compute/virtualMachines/nope", "not found"),
        ("{group}/providers/Microsoft.Compute/disks/web-t1-os", "not a Microsoft.Compute"),
    ],
)
def test_bad_targets_are_input_errors_that_change_nothing(
    subscription: Subscription, target: str, message: str
) -> None:
    before = dict(subscription.fake.state.resources)
    target = target.format(group=subscription.victim.resource_group)
    with pytest.raises(InputError, match=message):
        act(open_test_case(subscription), "isolate-instance", target)
    assert subscription.fake.state.resources == before


def test_a_location_without_an_isolation_group_changes_nothing(subscription: Subscription) -> None:
    subscription.fake.state.delete(subscription.prewired.isolation_nsg_id)
    before = dict(subscription.fake.state.resources)
    with pytest.raises(InputError, match="no isolation network security group for westeurope"):
        act(open_test_case(subscription), "isolate-instance", subscription.victim.vm_id)
    assert subscription.fake.state.resources == before
