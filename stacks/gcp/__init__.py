"""GCP forensic-readiness components."""

from __future__ import annotations

from stacks.gcp.readiness import GcpReadiness

__all__ = ["GcpReadiness"]
