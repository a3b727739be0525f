"""Azure drills: the subscription on the local Azure fake, its victim, detection and scenarios.

Importing the package registers its scenarios and how its target opens (found through
`prewire.core.clouds`).
"""

from __future__ import annotations

from prewire.drill.azure import scenarios, target

__all__ = ["scenarios", "target"]
