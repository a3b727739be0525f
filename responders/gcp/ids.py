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


SERVICE = re.compile(
    r"^projects/(?P<project>[a-z][-a-z0-9]{4,28}[a-z0-9])/locations/(?P<location>[a-z0-9-]+)"
    r"/services/(?P<name>[a-z]([-a-z0-9]{0,47}[a-z0-9])?)$"
)


@dataclass(frozen=True)
class ServiceRef:
    """A Cloud Run service."""

    project: str
    location: str
    name: str

    def __str__(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/services/{self.name}"


def service(text: str) -> ServiceRef:
    found = SERVICE.match(text.strip())
    if found is None:
        expected = "projects/<project>/locations/<location>/services/<name>"
        raise InputError(f"{text!r} is not a Cloud Run service: expected {expected}")
    return ServiceRef(found.group("project"), found.group("location"), found.group("name"))


def workload(text: str) -> InstanceRef | ServiceRef:
    """An instance or a Cloud Run service (what collect-logs takes)."""
    if "/services/" in text:
        return service(text)
    if INSTANCE.match(text.strip()):
        return instance(text)
    expected = "projects/<p>/zones/<z>/instances/<n> or projects/<p>/locations/<l>/services/<n>"
    raise InputError(f"{text!r} is not an instance or a Cloud Run service: expected {expected}")


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
