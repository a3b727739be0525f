"""`prewire sandbox up [--cloud ...] [--detach]` and `prewire sandbox down`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prewire.cli.common import EXIT_FAILED, console, errors, fail, input_errors
from prewire.cli.extras import needs
from prewire.core.vocabulary import Cloud

if TYPE_CHECKING:
    from prewire.drill.target import Guide

app = typer.Typer(
    help="Try everything locally: the embedded AWS and the Azure and GCP fakes with the kit's "
    "stack loaded and a victim seeded, for audit, respond, evidence verify and report."
)
READY_SECONDS = 180


class SandboxCloud(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


@app.command("up")
@input_errors
@needs("drill")
def up(
    cloud: Annotated[
        list[SandboxCloud] | None,
        typer.Option("--cloud", help="Which clouds (repeatable; default: all three)."),
    ] = None,
    minutes: Annotated[
        float,
        typer.Option("--minutes", min=1, help="Stop on its own after this long (default 240)."),
    ] = 240,
    detach: Annotated[
        bool,
        typer.Option("--detach", help="Run in the background; stop with `prewire sandbox down`."),
    ] = False,
    ready_file: Annotated[Path | None, typer.Option("--ready-file", hidden=True)] = None,
) -> None:
    """Start the sandbox, print its endpoints and the commands to try, run until Ctrl-C."""
    from prewire.sandbox import read_state, state_file

    clouds = [Cloud(c.value) for c in (cloud or list(SandboxCloud))]
    running = read_state(state_file())
    if running and not ready_file:
        fail(f"a sandbox is already running (pid {running['pid']}): `prewire sandbox down` first")
    if detach:
        _detach(clouds, minutes)
        return
    _foreground(clouds, minutes, ready_file)


def _foreground(clouds: list[Cloud], minutes: float, ready_file: Path | None) -> None:
    from prewire.sandbox import guides_json, run

    started = time.monotonic()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def progress(message: str) -> None:
        errors.print(f"[dim]{time.monotonic() - started:6.1f}s[/] {message}")

    def ready(guides: list[Guide]) -> None:
        if ready_file:
            partial = ready_file.with_suffix(".partial")
            partial.write_text(guides_json(guides, os.getpid()))
            partial.replace(ready_file)  # whole or absent: the waiting parent never reads half
        print_guides(guides)
        errors.print(
            f"sandbox up; stops on Ctrl-C, `prewire sandbox down` or after {minutes:g} minutes"
        )

    try:
        run(
            clouds,
            region="us-east-1",
            minutes=minutes,
            progress=progress,
            ready=ready,
            stop=stop,
        )
    finally:
        if ready_file:
            ready_file.unlink(missing_ok=True)


def print_guides(guides: Sequence[Guide]) -> None:
    for guide in guides:
        console.print(f"\n[bold]{guide.cloud.value.upper()}[/]", highlight=False)
        for name, url in guide.endpoints.items():
            console.print(f"  {name}: {url}", highlight=False, markup=False)
        exports = " ".join(f"{k}={v}" for k, v in guide.environment.items())
        console.print(f"  export {exports}", highlight=False, markup=False, soft_wrap=True)
        console.print("  then try:", highlight=False)
        for command in guide.commands:
            console.print(f"    {command}", highlight=False, markup=False, soft_wrap=True)
        for note in guide.notes:
            console.print(f"  note: {note}", highlight=False, markup=False, soft_wrap=True)


def _detach(clouds: list[Cloud], minutes: float) -> None:
    from prewire.sandbox import guides_of, read_state, state_file

    path = state_file()
    path.unlink(missing_ok=True)
    log = path.with_suffix(".log")
    command = [sys.executable, "-m", "prewire.cli.main", "sandbox", "up", "--minutes", str(minutes)]
    command += [arg for c in clouds for arg in ("--cloud", str(c))]
    command += ["--ready-file", str(path)]
    with log.open("w") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    errors.print(f"starting the sandbox in the background (pid {child.pid}, log {log})")
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        state = read_state(path)
        if state:
            print_guides(guides_of(state))
            errors.print("stop it with: prewire sandbox down")
            return
        if child.poll() is not None:
            tail = log.read_text().strip().splitlines()[-1:] or ["(no output)"]
            fail(f"the sandbox stopped while starting: {tail[0]}", EXIT_FAILED)
        time.sleep(0.5)
    child.terminate()
    fail(f"the sandbox was not ready within {READY_SECONDS} s (log {log})", EXIT_FAILED)


@app.command("down")
@input_errors
def down() -> None:
    """Stop the sandbox started with `prewire sandbox up --detach`."""
    from prewire.sandbox import read_state, state_file

    path = state_file()
    state = read_state(path)
    if state is None:
        path.unlink(missing_ok=True)
        fail("no sandbox is running")
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.2)
    else:
        fail(f"the sandbox (pid {pid}) did not stop within 30 s", EXIT_FAILED)
    path.unlink(missing_ok=True)
    console.print(f"sandbox stopped (pid {pid})")
