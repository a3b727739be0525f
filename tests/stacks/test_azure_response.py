"""The Azure responder Function: its package, and what the stack deploys for it (mocks)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.core import tokens as t
from prewire.drill.azure.account import responder_package
from prewire.package.azure import build_azure_responder, requirements
from prewire.render import Graph, Resource, load_stack_config, render
from stacks.azure.response import (
    EVENT_HUBS_DATA_RECEIVER,
    STORAGE_BLOB_DATA_OWNER,
    STORAGE_QUEUE_DATA_CONTRIBUTOR,
    STORAGE_TABLE_DATA_CONTRIBUTOR,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def graph() -> Graph:
    config = load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire")
    config["prewire:azure.responderPackage"] = str(responder_package())
    config["prewire:azure.autoContain"] = "true"
    return render(None, config, stack="example-azure")


def _one(graph: Graph, token: str) -> Resource:
    [found] = graph.of_type(token)
    return found


def test_the_package_holds_the_code_and_pins_the_locked_sdks(tmp_path: Path) -> None:
    package = build_azure_responder(tmp_path / "pkg", dependencies=False)
    assert {p.name for p in package.iterdir()} == {
        "function_app.py",
        "host.json",
        "requirements.txt",
        "responders",
        "prewire",
    }
    assert not (package / "prewire" / "emulator").exists()
    pins = (package / "requirements.txt").read_text().split()
    version = importlib.metadata.version("azure-mgmt-compute")
    assert f"azure-mgmt-compute=={version}" in pins and pins == requirements()
    # The package's own copy imports on its own (the Functions host puts it first on the path).
    probe = "import responders.azure.function as f; print(f.__file__)"
    env = {**os.environ, "PYTHONPATH": str(package)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=package, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(package))
    assert "handle(event.get_body())" in (package / "function_app.py").read_text()


def test_rebuilding_replaces_a_package_but_never_another_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "pkg"
    for _ in range(2):
        result = runner.invoke(
            app, ["package", "azure-responder", "--no-dependencies", "--output", str(target)]
        )
        assert result.exit_code == 0, result.output
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    result = runner.invoke(
        app,
        ["package", "azure-responder", "--no-dependencies", "--output", str(tmp_path / "notes")],
    )
    assert result.exit_code == 2 and "not a responder package" in result.output
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


def test_the_function_reads_the_hub_as_the_responder_identity_without_keys(graph: Graph) -> None:
    function = _one(graph, t.AZ_WEB_APP)
    identity = next(
        i for i in graph.of_type(t.AZ_USER_IDENTITY) if i.get("resourceName") == "prewire-responder"
    )
    assert function.get("kind") == "functionapp,linux" and function.get("httpsOnly") is True
    assert function.get("identity")["userAssignedIdentities"] == [identity.outputs["id"]]
    app_settings = {s["name"]: s.get("value") for s in function.get("siteConfig")["appSettings"]}
    namespace = _one(graph, t.AZ_EVENT_HUB_NAMESPACE).outputs["name"]
    assert (
        app_settings["AlertHub__fullyQualifiedNamespace"] == f"{namespace}.servicebus.windows.net"
    )
    assert app_settings["AlertHub__clientId"] == identity.outputs["clientId"]
    assert app_settings["PREWIRE_ALERT_HUB"] == _one(graph, t.AZ_EVENT_HUB).outputs["name"]
    assert app_settings["PREWIRE_AUTO_CONTAIN"] == "true"
    assert app_settings["WEBSITE_RUN_FROM_PACKAGE"] == _one(graph, t.AZ_BLOB).outputs["url"]
    assert not any(
        "key" in name.lower() or "connectionstring" in name.lower() for name in app_settings
    )
    host = next(a for a in graph.of_type(t.AZ_STORAGE_ACCOUNT) if "fn" in a.outputs["name"])
    assert host.get("allowSharedKeyAccess") is False
    grants = {
        (str(a.get("scope")), str(a.get("roleDefinitionId")).rsplit("/", 1)[1])
        for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT)
        if a.get("principalId") == identity.outputs["principalId"]
    }
    hub = _one(graph, t.AZ_EVENT_HUB).outputs["id"]
    for scope, role in (
        (host.outputs["id"], STORAGE_BLOB_DATA_OWNER),
        (host.outputs["id"], STORAGE_QUEUE_DATA_CONTRIBUTOR),
        (host.outputs["id"], STORAGE_TABLE_DATA_CONTRIBUTOR),
        (hub, EVENT_HUBS_DATA_RECEIVER),
    ):
        assert (scope, role) in grants
    [logs] = [
        d
        for d in graph.of_type(t.AZ_DIAGNOSTIC_SETTING)
        if d.get("resourceUri") == function.outputs["id"]
    ]
    assert [c["category"] for c in logs.get("logs")] == ["FunctionAppLogs"]
