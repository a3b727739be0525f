"""A drill's timeline: every step with its start, end, status and what it found."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


PROVISION_STEP = "provision the readiness stack"
SEED_STEP = "seed the victim workload"
"""The steps every target takes before any scenario: what `bench/drill.py` counts as setup."""
SETUP_STEPS = (PROVISION_STEP, SEED_STEP)


@dataclass
class TimelineStep:
    name: str
    scenario: str | None
    started: datetime
    ended: datetime | None = None
    status: str = "running"
    detail: str = ""

    @property
    def seconds(self) -> float:
        return ((self.ended or now()) - self.started).total_seconds()


@dataclass
class Timeline:
    steps: list[TimelineStep] = field(default_factory=list)
    scope: str | None = None
    """What steps outside any scenario belong to (the target's cloud when a drill has several)."""

    @contextlib.contextmanager
    def step(self, name: str, scenario: str | None = None) -> Iterator[TimelineStep]:
        entry = TimelineStep(name=name, scenario=scenario or self.scope, started=now())
        self.steps.append(entry)
        began = time.monotonic()
        try:
            yield entry
        except Exception as error:
            entry.status = "failed"
            entry.detail = entry.detail or f"{type(error).__name__}: {error}"
            raise
        finally:
            entry.ended = entry.started + timedelta(seconds=time.monotonic() - began)
            if entry.status == "running":
                entry.status = "ok"
