"""Azure resource ids: parsed once, checked for the kind a responder expects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from responders.runtime import InputError

# One path segment: no slash, no control character (a newline or NUL never reaches a request).
_SEGMENT = r"[^/\x00-\x1f\x7f]+"
_ID = re.compile(
    rf"/subscriptions/(?P<subscription>[0-9a-fA-F-]{{36}})/resourceGroups/(?P<group>{_SEGMENT})"
    rf"/providers/(?P<namespace>{_SEGMENT})/(?P<type>{_SEGMENT})/(?P<name>{_SEGMENT})"
    rf"(?P<rest>(/{_SEGMENT})*)"
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
    # The whole id as given: no trimming, no trailing newline (`$` alone would allow one).
    match = _ID.fullmatch(text) if text == text.strip() else None
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
