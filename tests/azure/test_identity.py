"""quarantine-identity and release-identity: role assignments recorded, removed, re-created."""

from __future__ import annotations

from typing import Any

from responders.runtime import Status
from tests.azure.conftest import Subscription, act, open_test_case


def _assignments_of(subscription: Subscription, principal: str) -> list[dict[str, Any]]:
    return [
        a
        for a in subscription.fake.state.of_type("Microsoft.Authorization/roleAssignments")
        if a["properties"]["principalId"] == principal
    ]


def test_quarantine_removes_every_role_of_both_identities_after_recording_them(
    subscription: Subscription,
) -> None:
    victim = subscription.victim
    before = {
        a["id"]: a
        for p in (victim.system_principal, victim.user_principal)
        for a in _assignments_of(subscription, p)
    }
    assert len(before) == 3

    [outcome] = act(open_test_case(subscription), "quarantine-identity", victim.vm_id)

    assert outcome.status is Status.CHANGED, outcome.message
    assert _assignments_of(subscription, victim.system_principal) == []
    assert _assignments_of(subscription, victim.user_principal) == []
    recorded = {a["id"].lower(): a for a in outcome.state["role_assignments"]}
    assert set(recorded) == {i.lower() for i in before}
    assert any("may be shared" in w for w in outcome.warnings)
    deletes = [c for c in outcome.calls if c.operation.startswith("DELETE")]
    assert len(deletes) == 3 and all(c.request_id for c in deletes)


def test_release_recreates_exactly_what_was_removed(subscription: Subscription) -> None:
    victim = subscription.victim
    before = sorted(
        (a["id"].lower(), a["properties"]["roleDefinitionId"], a["properties"]["scope"])
        for p in (victim.system_principal, victim.user_principal)
        for a in _assignments_of(subscription, p)
    )
    act(open_test_case(subscription), "quarantine-identity", victim.vm_id)

    [released] = act(
        open_test_case(subscription, confirm_release=True), "release-identity", victim.vm_id
    )

    assert released.status is Status.CHANGED, released.message
    after = sorted(
        (a["id"].lower(), a["properties"]["roleDefinitionId"], a["properties"]["scope"])
        for p in (victim.system_principal, victim.user_principal)
        for a in _assignments_of(subscription, p)
    )
    assert after == before


def test_a_second_quarantine_finds_nothing_left(subscription: Subscription) -> None:
    act(open_test_case(subscription), "quarantine-identity", subscription.victim.vm_id)
    [again] = act(open_test_case(subscription), "quarantine-identity", subscription.victim.vm_id)
    assert again.status is Status.UNCHANGED
