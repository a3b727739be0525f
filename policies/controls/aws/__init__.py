"""AWS readiness controls, a module per service group; the static rules (policies/static/aws/)
and live checks (policies/live/aws/) use the same grouping. Importing the package registers
every control.
"""

from __future__ import annotations

from policies.controls.aws import (
    common,
    compute,
    containers,
    detection,
    identity,
    network,
    responder,
    serverless,
    storage,
    trail,
)

__all__ = [
    "common",
    "trail",
    "storage",
    "network",
    "detection",
    "identity",
    "containers",
    "serverless",
    "compute",
    "responder",
]
