"""AWS forensic-readiness components."""

from __future__ import annotations

from stacks.aws.readiness import ForensicReadiness, ForensicReadinessArgs

__all__ = ["ForensicReadiness", "ForensicReadinessArgs"]
