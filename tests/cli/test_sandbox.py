"""`prewire sandbox`: every command it prints works as printed against what it started, and it
stops cleanly, in the foreground and detached (`up --detach`, then `down`)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.core.vocabulary import Cloud
from prewire.drill.target import Guide
from prewire.sandbox import run

runner = CliRunner()
# What each printed command is expected to end with, and a line of what it says.
EXPECTED = {
    "audit aws": (1, "findings:"),  # the victim's EKS and ECS clusters, as the note says
    "respond aws contain-instance": (1, "capture-memory"),  # no SSM agent in the emulator
    "evidence verify": (0, "intact"),
    "report": (0, "report.html"),
    "respond aws release-instance": (0, "release-instance"),
    "audit azure": (0, "0 failed"),
    "respond azure contain-instance": (0, "isolate-instance"),
    "respond azure release-instance": (0, "release-instance"),
    "audit gcp": (0, "0 failed"),
    "respond gcp contain-instance": (0, "isolate-instance"),
    "respond gcp release-instance": (0, "release-instance"),
}


def _expected(command: list[str]) -> tuple[int, str]:
    words = " ".join(command[1:])
    [key] = [k for k in EXPECTED if words.startswith(k)]
    return EXPECTED[key]


@dataclass
class Ran:
    guides: list[Guide]
    results: list[tuple[str, int, str]]  # command as printed, exit code, output


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """The sandbox in this process; the printed commands run while it is up (from its ready
    callback: the drill's targets prepare in the main thread), then it stops."""
    ran = Ran([], [])
    stop = threading.Event()
    where = tmp_path_factory.mktemp("sandbox")

    def exercise(guides: list[Guide]) -> None:
        ran.guides.extend(guides)
        cwd = Path.cwd()
        os.chdir(where)  # `report` writes its files here
        try:
            for guide in guides:
                for printed in guide.commands:
                    command = shlex.split(printed)
                    result = runner.invoke(app, command[1:], env=guide.environment)
                    ran.results.append((printed, result.exit_code, result.output))
        finally:
            os.chdir(cwd)
            stop.set()

    run(
        [Cloud.AWS, Cloud.AZURE, Cloud.GCP],
        region="us-east-1",
        minutes=10,  # a safety net: the commands end it long before
        progress=lambda _: None,
        ready=exercise,
        stop=stop,
    )
    assert (where / "reports" / "sandbox-1" / "report.html").exists()
    return ran


def test_every_printed_command_works_as_printed(sandbox: Ran) -> None:
    assert {g.cloud for g in sandbox.guides} == {Cloud.AWS, Cloud.AZURE, Cloud.GCP}
    assert len(sandbox.results) == len(EXPECTED)
    for printed, code, output in sandbox.results:
        assert printed.startswith("prewire ")
        expected_code, says = _expected(shlex.split(printed))
        assert code == expected_code, f"{printed}\n{output}"
        assert says in output, f"{printed}\n{output}"


def test_the_servers_stop_with_the_sandbox(sandbox: Ran) -> None:
    for guide in sandbox.guides:
        for url in guide.endpoints.values():
            where = urllib.parse.urlparse(url)
            assert where.hostname == "127.0.0.1" and where.port
            with pytest.raises(ConnectionRefusedError):  # nothing listens there any more
                socket.create_connection((where.hostname, where.port), timeout=2).close()


def test_detached_sandbox_runs_in_the_background_until_down(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    env = {**os.environ, "PREWIRE_SANDBOX_STATE": str(state)}
    prewire = [sys.executable, "-m", "prewire.cli.main", "sandbox"]
    up = subprocess.run(
        [*prewire, "up", "--detach", "--cloud", "gcp", "--minutes", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert up.returncode == 0, up.stderr
    assert "prewire audit gcp" in up.stdout and "prewire sandbox down" in up.stderr
    pid = json.loads(state.read_text())["pid"]
    os.kill(pid, 0)  # running
    again = subprocess.run([*prewire, "up", "--detach"], env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "already running" in again.stderr
    down = subprocess.run([*prewire, "down"], env=env, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    with pytest.raises(OSError):
        os.kill(pid, 0)
    assert not state.exists()
    nothing = subprocess.run([*prewire, "down"], env=env, capture_output=True, text=True)
    assert nothing.returncode == 2 and "no sandbox is running" in nothing.stderr
