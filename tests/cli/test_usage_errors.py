"""Every command, given a bad name, id, region, format or path: one line, exit 2, nothing
created. The commands are read from the CLI itself, so a new one is swept without being listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from prewire.cli.main import app

runner = CliRunner()


def _leaves(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    children = getattr(command, "commands", None)
    if not children:
        return [(path, command)]
    return [
        leaf for name, child in sorted(children.items()) for leaf in _leaves(child, (*path, name))
    ]


LEAVES = _leaves(typer.main.get_command(app))
FORMATTED = [(path, c) for path, c in LEAVES if any("--format" in p.opts for p in c.params)]


def _required_arguments(command: Any) -> list[str]:
    """A placeholder for each required positional argument, so an option's own check is what
    refuses the command line."""
    return ["x" for p in command.params if p.param_type_name == "argument" and p.required]


@pytest.fixture
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    # No credentials anywhere, and no instance metadata lookup that could hang.
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def refused(args: list[str], cwd: Path) -> str:
    result = runner.invoke(app, args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert list(cwd.iterdir()) == [], "a refused command created files"
    return lines[0]


def test_the_sweep_sees_every_command() -> None:
    names = {" ".join(path) for path, _ in LEAVES}
    assert {"drill", "check", "audit aws", "respond gcp", "evidence verify", "report"} <= names
    assert len(LEAVES) >= 15 and len(FORMATTED) >= 8


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=" ".join)
def test_an_unknown_option_is_one_line(path: tuple[str, ...], empty_cwd: Path) -> None:
    assert "--no-such-option" in refused([*path, "--no-such-option"], empty_cwd)


@pytest.mark.parametrize("path, command", FORMATTED, ids=[" ".join(p) for p, _ in FORMATTED])
def test_an_unknown_format_is_one_line(
    path: tuple[str, ...], command: Any, empty_cwd: Path
) -> None:
    args = [*path, *_required_arguments(command), "--format", "bogus"]
    assert "'--format'" in refused(args, empty_cwd)


INSTANCE = ["--case", "c1", "--target", "i-0123456789abcdef0"]
BAD = {
    "scenario name": (["drill", "no-such-scenario"], "unknown drill scenario 'no-such-scenario'"),
    "aws action name": (["respond", "aws", "teleport", *INSTANCE], "unknown action or playbook"),
    "azure action name": (
        [
            "respond",
            "azure",
            "teleport",
            "--subscription",
            "11111111-2222-4333-8444-555555555555",
            "--case",
            "c1",
            "--target",
            "x",
        ],
        "unknown action or playbook",
    ),
    "gcp action name": (
        ["respond", "gcp", "teleport", "--project", "p-1", "--case", "c1", "--target", "x"],
        "unknown action or playbook",
    ),
    "package name": (["package", "no-such-package"], "No such command"),
    "audit region": (["audit", "aws", "--region", "xx-nowhere-9"], "unknown AWS region"),
    "respond region": (
        ["respond", "aws", "isolate-instance", *INSTANCE, "--region", "xx-nowhere-9"],
        "unknown AWS region",
    ),
    "verify region": (
        ["evidence", "verify", "c1", "--region", "xx-nowhere-9"],
        "unknown AWS region",
    ),
    "no credentials": (
        ["respond", "aws", "isolate-instance", *INSTANCE, "--region", "eu-west-1"],
        "no AWS credentials",
    ),
    "verify without a region": (["evidence", "verify", "c1"], "reads the case from the deployed"),
    "program path": (["check", "/nonexistent/program"], "/nonexistent/program"),
    "stack config path": (["plan", "--stack-config", "/nonexistent.yaml"], "/nonexistent.yaml"),
    "output under a missing root": (
        ["plan", "--output", "/proc/no-such/plan.md"],
        "cannot write under /proc",
    ),
    "output is a directory": (["plan", "--output", "/"], "/ is a directory"),
    "drill report dir unwritable": (
        ["drill", "--report-dir", "/proc/no-such/reports", "ec2-compromise"],
        "cannot write under /proc",
    ),
    "report dir is a file": (["report", "c1", "--report-dir", "/etc/hostname"], "not a directory"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_before_anything_is_created(case: str, empty_cwd: Path) -> None:
    args, message = BAD[case]
    assert message in refused(args, empty_cwd)
