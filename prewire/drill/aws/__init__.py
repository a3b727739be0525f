"""AWS drills: the account (emulated or sandbox), its victim, its detection and its scenarios.

Importing the package registers its scenarios and how its target opens (found through
`prewire.core.clouds`).
"""

from __future__ import annotations

from prewire.drill.aws import opening, scenarios

__all__ = ["opening", "scenarios"]
