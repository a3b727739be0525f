"""GCP resource references as the responders take them:

- an instance: `projects/<p>/zones/<z>/instances/<n>` (a full self link is accepted too);
- a GKE cluster: `projects/<p>/locations/<l>/clusters/<n>`, optionally narrowed to one pod
  (`.../namespaces/<ns>/pods/<pod>`) or one node (`.../nodes/<node>`);
- a Cloud Run service: `projects/<p>/locations/<l>/services/<n>`;
- a workload (what collect-logs takes): any of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from responders.runtime import InputError

PROJECT = r"projects/(?P<project>[a-z][-a-z0-9]{4,28}[a-z0-9])"
LOCATION = r"/locations/(?P<location>[a-z0-9-]+)"
INSTANCE = re.compile(
    rf"^(?:https://[^/]+/compute/v1/)?{PROJECT}"
    r"/zones/(?P<zone>[a-z]+-[a-z]+[0-9]-[a-z])/instances/(?P<name>[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$"
)
DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
CLUSTER = re.compile(
    rf"^{PROJECT}{LOCATION}/clusters/(?P<name>[a-z]([-a-z0-9]{{0,38}}[a-z0-9])?)"
    rf"(?:/namespaces/(?P<namespace>{DNS_LABEL})/pods/(?P<pod>[a-z0-9][-.a-z0-9]{{0,252}})"
    r"|/nodes/(?P<node>[a-z0-9][-.a-z0-9]{0,252}))?$"
)
SERVICE = re.compile(rf"^{PROJECT}{LOCATION}/services/(?P<name>[a-z]([-a-z0-9]{{0,47}}[a-z0-9])?)$")


def _match(pattern: re.Pattern[str], text: str, what: str, expected: str) -> re.Match[str]:
    # The whole reference as given: no trimming, no trailing newline (`$` alone would allow one).
    found = pattern.fullmatch(text)
    if found is None:
        raise InputError(f"{text!r} is not {what}: expected {expected}")
    return found


@dataclass(frozen=True)
class InstanceRef:
    project: str
    zone: str
    name: str

    def __str__(self) -> str:
        return f"projects/{self.project}/zones/{self.zone}/instances/{self.name}"


def instance(text: str) -> InstanceRef:
    found = _match(
        INSTANCE, text, "an instance", "projects/<project>/zones/<zone>/instances/<name>"
    )
    return InstanceRef(found.group("project"), found.group("zone"), found.group("name"))


@dataclass(frozen=True)
class ClusterRef:
    project: str
    location: str
    name: str
    pod: tuple[str, str] | None = None
    """(namespace, name) when the target is one pod of the cluster."""
    node: str | None = None

    def __str__(self) -> str:
        """The cluster itself (what the Container API names)."""
        return f"projects/{self.project}/locations/{self.location}/clusters/{self.name}"


def cluster(text: str) -> ClusterRef:
    found = _match(
        CLUSTER,
        text,
        "a GKE cluster, pod or node",
        "projects/<project>/locations/<location>/clusters/<name>"
        "[/namespaces/<namespace>/pods/<pod> | /nodes/<node>]",
    )
    pod = (found.group("namespace"), found.group("pod")) if found.group("pod") else None
    return ClusterRef(
        found.group("project"),
        found.group("location"),
        found.group("name"),
        pod,
        found.group("node"),
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
    found = _match(
        SERVICE,
        text,
        "a Cloud Run service",
        "projects/<project>/locations/<location>/services/<name>",
    )
    return ServiceRef(found.group("project"), found.group("location"), found.group("name"))


def workload(text: str) -> InstanceRef | ServiceRef | ClusterRef:
    """An instance, a Cloud Run service or a GKE cluster (what collect-logs takes)."""
    if "/services/" in text:
        return service(text)
    return cluster(text) if "/clusters/" in text else instance(text)


def last(url: str) -> str:
    """The last path segment of a self link (a disk's, a network's)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def zone_of(url: str) -> str:
    """`.../zones/<zone>/disks/<name>` -> <zone>."""
    return url.split("/zones/", 1)[1].split("/", 1)[0]
