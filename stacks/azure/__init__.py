"""Azure forensic-readiness components."""

from __future__ import annotations

from stacks.azure.readiness import AzureReadiness

__all__ = ["AzureReadiness"]
