"""Static rules for the AWS controls (see policies/controls/aws/ for what each one means), a module
per service group as the catalogue groups them. Importing the package registers every rule.
"""

from __future__ import annotations

from policies.static.aws import (
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
