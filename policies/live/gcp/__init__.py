"""Live checks for the GCP controls. Importing the package registers every check."""

from __future__ import annotations

from policies.live.gcp import checks

__all__ = ["checks"]
