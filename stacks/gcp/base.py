"""Shared pieces of the GCP components: child options, labels, names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pulumi

ROLE_LABEL = "prewire-role"
QUARANTINE_TAG = "prewire-quarantine"
"""The network tag that puts an instance behind the quarantine firewall rules."""
SECONDS_PER_DAY = 86_400


def child(
    parent: pulumi.Resource,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    protect: bool = False,
) -> pulumi.ResourceOptions:
    """Options for a child resource; `protect` on stores that hold evidence."""
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on), protect=protect)


def labels(component: str, role: str | None = None) -> dict[str, str]:
    """prewire's labels (GCP allows only lower-case letters, digits, - and _ in them); `role`
    is what responders discover the resource by."""
    short = re.sub(r"[^a-z0-9]+", "-", component.rsplit(":", 1)[-1].lower())
    found = {"prewire-managed-by": "prewire", "prewire-component": short}
    return {**found, ROLE_LABEL: role} if role else found


def bucket_name(project: str, role: str) -> str:
    """A globally unique bucket name (3-63 characters) stable for the project and role."""
    digest = hashlib.sha256(f"{project}/{role}".encode()).hexdigest()[:8]
    return f"prewire-{role}-{project}"[:54].rstrip("-") + f"-{digest}"


def network_name(network: str) -> str:
    """`projects/p/global/networks/n` -> n."""
    return network.rsplit("/", 1)[-1]
