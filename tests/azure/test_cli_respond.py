"""`prewire respond azure ...` end to end against the fake (credential: the fake's own)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.emulator.azure import FakeCredential
from responders.azure import session
from tests.azure.conftest import Subscription

runner = CliRunner()


@pytest.fixture
def cli_env(subscription: Subscription, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(session, "default_credential", FakeCredential)
    fake = subscription.fake
    return {
        "PREWIRE_AZURE_ARM_ENDPOINT": fake.url,
        "PREWIRE_AZURE_LOGS_ENDPOINT": f"{fake.url}/loganalytics",
        "PREWIRE_AZURE_CA_BUNDLE": str(fake.certificate),
        "AZURE_SUBSCRIPTION_ID": fake.subscription,
        "PREWIRE_AZURE_POLL_SECONDS": "0",
    }


def test_a_playbook_runs_and_reports_each_step(
    subscription: Subscription, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(
        app,
        [
            "respond",
            "azure",
            "preserve-instance",
            "--case",
            "inc-9",
            "--target",
            subscription.victim.vm_id,
            "--format",
            "json",
        ],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)["outcomes"]
    assert [o["action"] for o in outcomes] == ["protect-instance", "snapshot-disks", "collect-logs"]


def test_a_bad_target_is_one_line_and_exit_2(
    subscription: Subscription, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(
        app,
        ["respond", "azure", "isolate-instance", "--case", "inc-9", "--target", "web-1"],
        env=cli_env,
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "not an Azure resource id" in result.output


def test_an_unknown_action_names_the_azure_ones(cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["respond", "azure", "capture-memory", "--case", "x", "--target", "y"], env=cli_env
    )
    assert result.exit_code == 2
    assert "collect-cluster" in result.output and "contain-instance" in result.output


def test_a_subscription_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    result = runner.invoke(
        app, ["respond", "azure", "collect-logs", "--case", "x", "--target", "y"]
    )
    assert result.exit_code == 2
    assert "no subscription" in result.output
