"""`prewire audit azure` on the Azure fake: the kit's stack deployed through the API passes every
control; a subscription made unready in specific ways gets exactly those failures; what the
caller may not read, or the target does not offer, is `unknown` with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from policies.catalogue import controls_of
from policies.findings import Finding, Status
from policies.live.azure.audit import audit_subscription
from prewire.cli.main import app
from prewire.core.vocabulary import Cloud
from prewire.drill.azure.account import AzurePrewired, deploy_stack
from prewire.drill.azure.victim import seed_victim
from prewire.emulator.azure import FakeAzure, FakeCredential
from responders.azure import session


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAzure]:
    with FakeAzure() as azure:
        yield azure


@pytest.fixture
def deployed(fake: FakeAzure) -> AzurePrewired:
    fake.reset()
    prewired = deploy_stack(fake)
    seed_victim(fake, "a1", prewired)
    return prewired


def _by_status(findings: list[Finding]) -> dict[Status, dict[str, list[str]]]:
    grouped: dict[Status, dict[str, list[str]]] = {}
    for finding in findings:
        grouped.setdefault(finding.status, {}).setdefault(finding.control.id, []).append(
            finding.message
        )
    return grouped


def test_the_deployed_stack_passes_every_azure_control(
    fake: FakeAzure, deployed: AzurePrewired
) -> None:
    findings = audit_subscription(fake.clients()).findings
    grouped = _by_status(findings)
    assert set(grouped) == {Status.PASSED}, {s: g for s, g in grouped.items() if s != Status.PASSED}
    # Every control, FUNC-001 and RESP-002 included: the stack's own responder Function runs as
    # the responder identity and keeps its FunctionAppLogs.
    assert set(grouped[Status.PASSED]) == {c.id for c in controls_of(Cloud.AZURE)}
    assert all(
        f.location == {"subscription": fake.subscription, "region": "global"} for f in findings
    )


def _delete(fake: FakeAzure, arm_type: str, name_part: str = "") -> None:
    [target] = [r for r in fake.state.of_type(arm_type) if name_part in r["id"]]
    fake.state.delete(target["id"])


def test_breaking_the_subscription_fails_exactly_the_matching_controls(
    fake: FakeAzure, deployed: AzurePrewired
) -> None:
    clients = fake.clients()
    _delete(fake, "Microsoft.Insights/diagnosticSettings", "prewire-activity-log")
    _delete(fake, "Microsoft.Network/networkSecurityGroups", "prewire-isolation")
    pricing = (
        f"/subscriptions/{fake.subscription}/providers/Microsoft.Security/pricings/VirtualMachines"
    )
    fake.state.handle("PUT", pricing, {}, {"properties": {"pricingTier": "Free"}})
    responder_role = next(
        r["id"]
        for r in fake.state.of_type("Microsoft.Authorization/roleDefinitions")
        if r["properties"].get("roleName") == "prewire responder"
    )
    for assignment in fake.state.of_type("Microsoft.Authorization/roleAssignments"):
        if assignment["properties"]["roleDefinitionId"] == responder_role:
            fake.state.delete(assignment["id"])
    group = deployed.resource_group
    fake.state.handle(
        "PUT",
        f"{group}/providers/Microsoft.Storage/storageAccounts/leakyaccount",
        {},
        {"location": "westeurope", "properties": {"allowBlobPublicAccess": True}},
    )

    grouped = _by_status(audit_subscription(clients).findings)

    assert set(grouped[Status.FAILED]) == {
        "AZURE-LOG-001",
        "AZURE-LOG-002",
        "AZURE-NET-001",
        "AZURE-DEF-001",
        "AZURE-RESP-001",
        "AZURE-STORE-003",
        "AZURE-STORE-004",
    }
    assert "no deny-all isolation network security group" in grouped[Status.FAILED]["AZURE-NET-001"]
    assert any("lacks" in m for m in grouped[Status.FAILED]["AZURE-RESP-001"])


def test_what_cannot_be_read_is_unknown_with_the_reason(
    fake: FakeAzure, deployed: AzurePrewired
) -> None:
    fake.state.denied.add("/Microsoft.Security/")
    try:
        findings = audit_subscription(fake.clients()).findings
    finally:
        fake.state.denied.clear()
    unknown = {f.control.id: f.message for f in findings if f.status is Status.UNKNOWN}
    assert set(unknown) == {"AZURE-DEF-001", "AZURE-DEF-002", "AZURE-DEF-003"}
    assert all(
        "not permitted to read" in m and "AuthorizationFailed" in m for m in unknown.values()
    )
    assert not [f for f in findings if f.status is Status.FAILED]  # the rest still decided


runner = CliRunner()


def _cli(fake: FakeAzure, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setattr(session, "default_credential", FakeCredential)
    env = {
        "PREWIRE_AZURE_ARM_ENDPOINT": fake.url,
        "PREWIRE_AZURE_LOGS_ENDPOINT": f"{fake.url}/loganalytics",
        "PREWIRE_AZURE_CA_BUNDLE": str(fake.certificate),
        "PREWIRE_AZURE_POLL_SECONDS": "0",
    }
    return runner.invoke(app, ["audit", "azure", *args], env=env)


def test_the_cli_exits_by_what_it_found(
    fake: FakeAzure, deployed: AzurePrewired, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = _cli(fake, monkeypatch, "--subscription", fake.subscription, "--format", "json")
    assert healthy.exit_code == 0, healthy.output
    document = json.loads(healthy.stdout)
    assert document["summary"]["failed"] == 0 and document["subscription"] == fake.subscription
    _delete(fake, "Microsoft.Insights/diagnosticSettings", "prewire-activity-log")
    broken = _cli(fake, monkeypatch, "--subscription", fake.subscription)
    assert broken.exit_code == 1
    assert "AZURE-LOG-001" in broken.output


def test_the_cli_needs_a_subscription(fake: FakeAzure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    result = _cli(fake, monkeypatch)
    assert result.exit_code == 2 and "no subscription" in result.output
