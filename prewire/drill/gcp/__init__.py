"""GCP drills: the account (emulated or sandbox), its victim, its detection and its scenarios.

Importing the package registers its scenarios (found through `prewire.core.clouds`).
"""

from __future__ import annotations

from prewire.drill.gcp import scenarios

__all__ = ["scenarios"]
