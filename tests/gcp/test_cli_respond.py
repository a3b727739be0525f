"""`prewire respond gcp ...` end to end against the fake (anonymous credentials)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from responders.gcp import session
from tests.gcp.conftest import VICTIM, Project

runner = CliRunner()


@pytest.fixture
def cli_env(project: Project, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # The CLI builds its clients from the environment; credentials are the fake's.
    monkeypatch.setattr(session, "default_credentials", lambda: project.clients.credentials)
    return {
        "PREWIRE_GCP_ENDPOINT": project.fake.url,
        "PREWIRE_GCP_POLL_SECONDS": "0.01",
        "GOOGLE_CLOUD_PROJECT": "prewire-fake",
        "COLUMNS": "200",
    }


def test_a_playbook_runs_and_reports_each_step(project: Project, cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        [
            "respond",
            "gcp",
            "contain-instance",
            "--case",
            "inc-7",
            "--target",
            VICTIM,
            "--format",
            "json",
        ],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)["outcomes"]
    assert [o["action"] for o in outcomes] == [
        "protect-instance",
        "snapshot-disks",
        "isolate-instance",
        "quarantine-identity",
        "collect-logs",
    ]
    assert project.instance()["tags"]["items"][-1] == "prewire-quarantine"


def test_a_bad_target_is_one_line_and_exit_2(project: Project, cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["respond", "gcp", "isolate-instance", "--case", "inc-7", "--target", "web-1"],
        env=cli_env,
    )
    assert result.exit_code == 2
    assert "is not an instance" in result.output
    assert project.posts() == []


def test_gcp_actions_are_listed(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["list"], env=cli_env)
    assert result.exit_code == 0
    # Eight actions and four playbooks (names may be cut short at the terminal's width).
    assert result.output.count("│ gcp ") == 12
