"""Typed, validated stack settings parsed from `prewire:` config.

`stacks/__main__.py` is the only place that reads `pulumi.Config`; it hands the raw strings to
`parse`, which is also what `prewire plan` and `prewire check` use on a stack file, so every
face validates configuration the same way. All problems are reported at once.

A module per cloud holds that cloud's settings and how they are read; `readiness` puts them
together. What other faces use is imported from here.
"""

from __future__ import annotations

from stacks.settings.aws import AwsSettings, MemoryTool
from stacks.settings.azure import AzureSettings
from stacks.settings.gcp import GcpSettings
from stacks.settings.reader import SettingsError
from stacks.settings.readiness import CONFIG_KEYS, ReadinessSettings, parse

__all__ = [
    "CONFIG_KEYS",
    "AwsSettings",
    "AzureSettings",
    "GcpSettings",
    "MemoryTool",
    "ReadinessSettings",
    "SettingsError",
    "parse",
]
