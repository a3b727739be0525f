"""A fault campaign on one cloud's responders: the drill's local target behind a fault-injecting
proxy (`prewire.emulator.faults`), `prewire respond <cloud> contain-instance` run as a separate
process, killed with SIGKILL at seeded moments, then re-run until a run ends with nothing failed.

What must hold afterwards, checked without faults:
- one more run changes nothing: every target was contained exactly once, nothing is left to do;
- the case took exactly one snapshot set (no retry or re-run took a second);
- the custody log and every artifact verify (a write cut mid-upload left nothing accepted).

Every request passes the proxy, on Azure the blob uploads too: the Azure fake answers with
URLs on the host the client addressed.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prewire.core.evidence.verify import verify_case
from prewire.core.vocabulary import Cloud
from prewire.drill.options import DrillOptions
from prewire.drill.target import SANDBOX_CASE, Guide, Target, open_target
from prewire.drill.timeline import Timeline
from prewire.emulator.faults import FAULTS, FaultPlan, FaultProxy, aws_throttle, http_429

RUN_TIMEOUT_SECONDS = 300


@dataclass
class Run:
    exit_code: int | None
    """None: killed."""
    seconds: float
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


@dataclass
class CampaignResult:
    cloud: Cloud
    seed: int
    runs: list[Run]
    injected: Counter[str]
    forwarded: int
    faulted: list[tuple[str, str, str]] = field(default_factory=list)
    """(fault, method, path) of every request that got one."""
    snapshots: tuple[int, int] = (0, 0)
    redone: list[str] = field(default_factory=list)
    """Actions one more run changed: each is work the campaign left undone or did twice."""
    verify_problems: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        last = self.runs[-1] if self.runs else None
        return last is not None and last.exit_code is not None and _clean(last)

    @property
    def problems(self) -> list[str]:
        found = [] if self.finished else ["no run finished without a failed step"]
        if self.snapshots[0] != self.snapshots[1]:
            found.append(f"{self.snapshots[0]} snapshots for {self.snapshots[1]} disks")
        found += [f"{action} changed again on one more run" for action in self.redone]
        return found + self.verify_problems


def campaign(
    cloud: Cloud,
    seed: int,
    *,
    share: float = 0.25,
    kills: int = 2,
    max_runs: int = 10,
    kill_window: tuple[float, float] = (1.0, 6.0),
    faults: tuple[str, ...] = FAULTS,
) -> CampaignResult:
    """Run the campaign; nothing raises for what the faults broke: the result says."""
    with open_target(DrillOptions(), cloud) as target:
        account = target.prepare(f"faults-{seed}", Timeline(), lambda _: None)
        guide = target.guide(account)
        assert guide is not None, f"{cloud.value}'s drill target offers no local guide"
        [upstream] = set(guide.endpoints.values())
        throttle = aws_throttle if cloud is Cloud.AWS else http_429
        plan = FaultPlan(seed=seed, share=share, faults=faults, throttle=throttle)
        rng = random.Random(seed)  # noqa: S311 (reproducible, not secret)
        with FaultProxy(upstream, plan) as proxy:
            command, environment = _proxied(guide, upstream, proxy)
            runs: list[Run] = []
            for attempt in range(max_runs):
                kill_after = rng.uniform(*kill_window) if attempt < kills else None
                runs.append(_run(command, environment, kill_after))
                if runs[-1].exit_code is not None and _clean(runs[-1]):
                    break
        result = CampaignResult(cloud, seed, runs, proxy.injected, proxy.forwarded, proxy.log)
        _check(target, account, guide, result)
        return result


def _check(target: Target, account: Any, guide: Guide, result: CampaignResult) -> None:
    result.snapshots = target.case_snapshots(account, SANDBOX_CASE)
    again = _run(_contain_command(guide), {**os.environ, **guide.environment}, None)
    result.redone = [action for action, status in again.outcomes if status == "changed"]
    if again.exit_code is None or not _clean(again):
        result.redone.append(f"(the run without faults did not finish: {again.error})")
    verification = verify_case(target.evidence_store(account, {}), SANDBOX_CASE)
    result.verify_problems = [str(p.__dict__) for p in verification.problems]


def _clean(run: Run) -> bool:
    """Ended, and no step failed (steps a target cannot do are `unsupported`, not failed)."""
    return bool(run.outcomes) and all(status != "failed" for _, status in run.outcomes)


def _contain_command(guide: Guide) -> list[str]:
    [contain] = [c for c in guide.commands if " contain-instance " in c]
    return [sys.executable, "-m", "prewire.cli.main", *shlex.split(contain)[1:], "--format", "json"]


def _proxied(guide: Guide, upstream: str, proxy: FaultProxy) -> tuple[list[str], dict[str, str]]:
    """The guide's contain command and environment, pointed at the proxy."""
    command = [arg.replace(upstream, proxy.url) for arg in _contain_command(guide)]
    environment = {k: v.replace(upstream, proxy.url) for k, v in guide.environment.items()}
    bundle = environment.get("PREWIRE_AZURE_CA_BUNDLE")
    if bundle and proxy.certificate:  # trust the proxy's certificate and the fake's own
        combined = Path(tempfile.mkdtemp(prefix="prewire-faults-")) / "bundle.pem"
        combined.write_text(proxy.certificate.read_text() + Path(bundle).read_text())
        environment["PREWIRE_AZURE_CA_BUNDLE"] = str(combined)
    return command, {**os.environ, **environment}


def _run(command: list[str], environment: dict[str, str], kill_after: float | None) -> Run:
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = process.communicate(timeout=kill_after or RUN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.communicate()
        return Run(None, time.monotonic() - started)
    outcomes = []
    if out.strip().startswith("{"):
        outcomes = [(o["action"], o["status"]) for o in json.loads(out).get("outcomes", [])]
    error = (err.strip().splitlines() or [""])[-1]
    return Run(process.returncode, time.monotonic() - started, outcomes, error)
