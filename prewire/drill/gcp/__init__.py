"""GCP drills: the project on the local GCP fake, its victim and its scenarios.

Importing the package registers its scenarios and how its target opens (found through
`prewire.core.clouds`).
"""

from __future__ import annotations

from prewire.drill.gcp import scenarios, target

__all__ = ["scenarios", "target"]
