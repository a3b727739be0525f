"""The responder Function's entry point against the fake: Event Hub bodies in, responses out,
built from the app settings exactly as on Azure (credential: the fake's own)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.emulator.azure import FakeCredential
from responders.azure import session
from responders.azure.function import alerts_in, handle
from tests.azure.conftest import Subscription


@pytest.fixture
def settings(subscription: Subscription, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(session, "default_credential", FakeCredential)
    fake = subscription.fake
    for key, value in {
        "PREWIRE_AZURE_ARM_ENDPOINT": fake.url,
        "PREWIRE_AZURE_LOGS_ENDPOINT": f"{fake.url}/loganalytics",
        "PREWIRE_AZURE_CA_BUNDLE": str(fake.certificate),
        "PREWIRE_AZURE_POLL_SECONDS": "0",
    }.items():
        monkeypatch.setenv(key, value)
    return {"AZURE_SUBSCRIPTION_ID": fake.subscription, "PREWIRE_AUTO_CONTAIN": "false"}


def _alert(resource: str, alert_id: str) -> dict[str, Any]:
    return {
        "SystemAlertId": alert_id,
        "AlertType": "VM_Test",
        "Severity": "High",
        "ResourceIdentifiers": [{"Type": "AzureResource", "AzureResourceId": resource}],
    }


def test_each_alert_of_a_batch_gets_its_response(
    subscription: Subscription, settings: dict[str, str]
) -> None:
    group = f"/subscriptions/{subscription.fake.subscription}/resourceGroups/x"
    unknown = f"{group}/providers/Microsoft.Sql/servers/db"
    body = json.dumps([_alert(subscription.victim.vm_id, "a-1"), _alert(unknown, "a-2")])
    first, second = handle(body.encode(), settings)
    assert first["response"] == "playbook preserve-instance" and first["ok"]
    assert first["case"] == "dfc-a-1" and first["evidence_root"] == "cases"
    assert second == {"handled": False, "reason": "no responder for the resources of alert a-2"}
    # Without auto-containment the VM keeps its network security group.
    nic = subscription.resource(subscription.victim.nic_id)
    assert nic["properties"]["networkSecurityGroup"]["id"] == subscription.victim.web_nsg_id


def test_an_incomplete_response_raises_so_the_host_retries(
    subscription: Subscription, settings: dict[str, str]
) -> None:
    subscription.fake.state.denied.add("/providers/Microsoft.Compute/snapshots/")
    with pytest.raises(RuntimeError, match="incomplete for dfc-a-3"):
        handle(json.dumps(_alert(subscription.victim.vm_id, "a-3")), settings)


def test_a_missing_subscription_setting_is_named() -> None:
    with pytest.raises(RuntimeError, match="AZURE_SUBSCRIPTION_ID"):
        handle("{}", {})


def test_event_bodies_hold_an_alert_a_list_or_records() -> None:
    assert alerts_in('{"SystemAlertId": "1"}') == [{"SystemAlertId": "1"}]
    assert alerts_in('[{"a": 1}, 2]') == [{"a": 1}]
    assert alerts_in('{"records": [{"a": 1}]}') == [{"a": 1}]
    with pytest.raises(ValueError, match="not JSON"):
        alerts_in(b"\x00garbage")
