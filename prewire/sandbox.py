"""`prewire sandbox up`: the embedded AWS and the Azure and GCP fakes, each with the kit's stack
loaded and a victim workload seeded, kept running for a newcomer to try `audit`, `respond`,
`evidence verify` and `report` against, as they would against a real account.

The targets are the drill's own (`prewire.drill`), prepared the same way; what a sandbox adds is
that it stays up, says how to reach it, and stops cleanly: on Ctrl-C, on SIGTERM
(`prewire sandbox down`), or after its lifetime, so a forgotten one does not run for ever.
Every server binds 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.options import DrillOptions
from prewire.drill.target import Guide, Progress, open_target
from prewire.drill.timeline import Timeline

DEFAULT_MINUTES = 240


def state_file() -> Path:
    """Where a detached sandbox says it is running: one per user, or PREWIRE_SANDBOX_STATE."""
    default = Path(tempfile.gettempdir()) / f"prewire-sandbox-{os.getuid()}.json"
    return Path(os.environ.get("PREWIRE_SANDBOX_STATE") or default)


def run(
    clouds: Sequence[Cloud],
    *,
    region: str,
    minutes: float,
    progress: Progress,
    ready: Callable[[list[Guide]], None],
    stop: threading.Event,
) -> list[Guide]:
    """Open and prepare each cloud's local target, report the guides, then wait for `stop` or
    the lifetime; the targets close (their servers stop) on the way out, also after a failure."""
    sandbox_id = f"sandbox-{uuid.uuid4().hex[:6]}"
    timeline = Timeline()
    guides = []
    with contextlib.ExitStack() as stack:
        for cloud in clouds:
            target = stack.enter_context(open_target(DrillOptions(region=region), cloud))
            account = target.prepare(sandbox_id, timeline, progress)
            guide = target.guide(account)
            if guide is not None:
                guides.append(guide)
        ready(guides)
        stop.wait(minutes * 60)
        progress("stopping the sandbox")
    return guides


def guides_json(guides: Sequence[Guide], pid: int) -> str:
    return json.dumps({"pid": pid, "guides": [asdict(g) for g in guides]}, indent=2)


def guides_of(state: dict[str, Any]) -> list[Guide]:
    """The guides a detached sandbox wrote, as the foreground one printed them."""
    return [
        Guide(
            cloud=Cloud(g["cloud"]),
            endpoints=dict(g["endpoints"]),
            environment=dict(g["environment"]),
            commands=list(g["commands"]),
            notes=list(g.get("notes", [])),
        )
        for g in state.get("guides", [])
    ]


def read_state(path: Path) -> dict[str, Any] | None:
    """The running detached sandbox's state, or None (no file, or its process is gone)."""
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(int(state["pid"]), 0)
    except (OSError, KeyError, ValueError):
        return None
    return state
