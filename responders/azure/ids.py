"""Azure resource ids: parsed once, checked for the kind a responder expects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from responders.runtime import InputError

_ID = re.compile(
    r"^/subscriptions/(?P<subscription>[0-9a-fA-F-]{36})/resourceGroups/(?P<group>[^/]+)"
    r"/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<rest>/.*)?$"
)


@dataclass(frozen=True)
class ResourceId:
    subscription: str
    resource_group: str
    namespace: str
    type: str
    name: str
    child: str = ""

    @property
    def kind(self) -> str:
        """e.g. Microsoft.Compute/virtualMachines (lower case compares: ARM is case-insensitive)."""
        return f"{self.namespace}/{self.type}"

    def __str__(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/{self.kind}/{self.name}{self.child}"
        )


def parse(text: str, kind: str | None = None) -> ResourceId:
    """Parse a resource id; with `kind`, insist on it (one-line InputError otherwise)."""
    match = _ID.match(text.strip())
    if not match:
        raise InputError(f"not an Azure resource id: {text!r} (expected /subscriptions/...)")
    parsed = ResourceId(
        match["subscription"],
        match["group"],
        match["namespace"],
        match["type"],
        match["name"],
        match["rest"] or "",
    )
    if kind and (parsed.kind.lower() != kind.lower() or parsed.child):
        raise InputError(f"{text} is a {parsed.kind}{parsed.child and ' child'}, not a {kind}")
    return parsed
