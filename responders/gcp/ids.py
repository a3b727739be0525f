"""GCP resource references as the responders take them: `projects/<p>/zones/<z>/instances/<n>`
(a full self link is accepted too)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from responders.runtime import InputError

INSTANCE = re.compile(
    r"^(?:https://[^/]+/compute/v1/)?projects/(?P<project>[a-z][-a-z0-9]{4,28}[a-z0-9])"
    r"/zones/(?P<zone>[a-z]+-[a-z]+[0-9]-[a-z])/instances/(?P<name>[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$"
)


CLUSTER = re.compile(
    r"^projects/(?P<project>[a-z][-a-z0-9]{4,28}[a-z0-9])/locations/(?P<location>[a-z0-9-]+)"
    r"/clusters/(?P<name>[a-z]([-a-z0-9]{0,38}[a-z0-9])?)$"
)


@dataclass(frozen=True)
class ClusterRef:
    project: str
    location: str
    name: str

    def __str__(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/clusters/{self.name}"


def cluster(text: str) -> ClusterRef:
    found = CLUSTER.match(text.strip())
    if found is None:
        expected = "projects/<project>/locations/<location>/clusters/<name>"
        raise InputError(f"{text!r} is not a GKE cluster: expected {expected}")
    return ClusterRef(found.group("project"), found.group("location"), found.group("name"))


@dataclass(frozen=True)
class InstanceRef:
    project: str
    zone: str
    name: str

    def __str__(self) -> str:
        return f"projects/{self.project}/zones/{self.zone}/instances/{self.name}"


def instance(text: str) -> InstanceRef:
    found = INSTANCE.match(text.strip())
    if found is None:
        expected = "projects/<project>/zones/<zone>/instances/<name>"
        raise InputError(f"{text!r} is not an instance: expected {expected}")
    return InstanceRef(found.group("project"), found.group("zone"), found.group("name"))


def last(url: str) -> str:
    """The last path segment of a self link (a disk's, a network's)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def zone_of(url: str) -> str:
    """`.../zones/<zone>/disks/<name>` -> <zone>."""
    return url.split("/zones/", 1)[1].split("/", 1)[0]
