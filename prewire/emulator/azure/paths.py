"""Azure Resource Manager paths: what a request path names (a resource, a list, an action).

ARM ids alternate type and name after each `/providers/{namespace}`; an extension resource
(a role assignment, a lock, a diagnostic setting) repeats the pattern after its scope:
`/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/
Microsoft.Authorization/locks/keep`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArmPath:
    scope: str
    """Everything before the last `/providers/` (the subscription, group or parent resource)."""
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]
    action: str | None = None

    @property
    def type(self) -> str:
        """The ARM type, e.g. Microsoft.Storage/storageAccounts/blobServices/containers."""
        return "/".join((self.namespace, *self.types))

    @property
    def is_collection(self) -> bool:
        return len(self.names) < len(self.types)

    @property
    def resource_id(self) -> str:
        """The id of the named resource (the parent of a collection; the target of an action)."""
        parts = [self.scope, "providers", self.namespace]
        for kind, name in zip(self.types, self.names, strict=False):
            parts += [kind, name]
        return "/".join(parts)

    @property
    def collection_prefix(self) -> str:
        """Ids of a collection's members start with this (lower case)."""
        return f"{self.resource_id}/{self.types[-1]}/".lower()


def parse(path: str, method: str) -> ArmPath | None:
    """The ARM meaning of a request path; None for paths without a provider segment.

    After the namespace, an even number of segments names a resource; an odd number is a
    collection (GET) or, for a POST, an action on the resource the other segments name.
    """
    trimmed = path.rstrip("/")
    marker = trimmed.lower().rfind("/providers/")
    if marker < 0:
        return None
    scope = trimmed[:marker]
    namespace, *segments = trimmed[marker + len("/providers/") :].split("/")
    action = None
    if method == "POST" and len(segments) % 2 == 1 and len(segments) >= 3:
        action, segments = segments[-1], segments[:-1]
    return ArmPath(scope, namespace, tuple(segments[0::2]), tuple(segments[1::2]), action)


def resource_group_of(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered:
        return parts[lowered.index("resourcegroups") + 1]
    return None


def subscription_of(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("subscriptions") + 1] if "subscriptions" in lowered else None
