"""What `prewire drill` is asked to do: which scenarios, where, and how the targets open."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prewire.core.vocabulary import Cloud

Sabotage = Callable[[Any], None]
"""Breaks the prepared account of `DrillOptions.sabotage_cloud` before the gate (tests)."""


@dataclass
class DrillOptions:
    scenarios: Sequence[str] = ()
    region: str = "us-east-1"
    report_dir: Path | None = None
    sabotage: Sabotage | None = None
    sabotage_cloud: Cloud = Cloud.AWS
    sandbox: object | None = None
    """Run in this sandbox account instead of the embedded emulator (an AWS
    `prewire.drill.aws.sandbox.SandboxOptions`; the AWS target opener checks it)."""
    provision_with: str = "api"
    """On the emulator: "api" (the rendered stack through the API) or "pulumi" (`pulumi up`)."""
    cloud_model: str | None = None
    """On the emulator: "realistic" puts AWS's rate limits and latency in front of it."""
