"""Live checks for the Azure controls. Importing the package registers every check."""

from __future__ import annotations

from policies.live.azure import checks

__all__ = ["checks"]
