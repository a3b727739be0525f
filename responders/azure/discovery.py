"""Finds the prewired Azure resources by their `prewire:role` tag, in one paginated list.

The stack tags what responders need (the evidence storage account, the Log Analytics workspace,
the isolation network security group of each location, the responder identity); explicit flags
override discovery, so the responders also work in subscriptions prepared by other tooling.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from azure.core.exceptions import HttpResponseError

from prewire.core.vocabulary import ROLE_TAG
from responders.azure.session import AzureClients, error_code

RETENTION_TAG = "prewire:retention-days"  # on the stores: the retention the stack was given
EVIDENCE_CONTAINER = "evidence"


class Role(StrEnum):
    """Values of the `prewire:role` tag the stack sets and the responders look for."""

    EVIDENCE_STORE = "evidence-store"
    AUDIT_STORE = "audit-store"
    LOG_WORKSPACE = "log-workspace"
    ISOLATION_NSG = "isolation-nsg"
    RESPONDER_IDENTITY = "responder-identity"
    ALERT_HUB = "alert-hub"
    RESPONDER_FUNCTION = "responder-function"


@dataclass(frozen=True)
class Prewired:
    evidence_account_id: str | None = None
    workspace_id: str | None = None
    isolation_nsgs: dict[str, str] = field(default_factory=dict)
    """Network security group id by location (lower case, as ARM reports it)."""
    responder_identity_id: str | None = None
    retention_days: int | None = None
    discovered: bool = False
    discovery_error: str | None = None


@dataclass(frozen=True)
class Overrides:
    evidence_account_id: str | None = None
    isolation_nsg: str | None = None


def discover(clients: AzureClients) -> Prewired:
    try:
        tagged = list(clients.resources.resources.list(filter=f"tagName eq '{ROLE_TAG}'"))
    except HttpResponseError as error:
        return Prewired(discovery_error=f"cannot list tagged resources: {error_code(error)}")
    by_role: dict[str, list[tuple[str, str]]] = {}
    retention: int | None = None
    for resource in tagged:
        tags = resource.tags or {}
        role = tags.get(ROLE_TAG, "")
        by_role.setdefault(role, []).append((str(resource.id), str(resource.location or "")))
        if role == Role.EVIDENCE_STORE.value and str(tags.get(RETENTION_TAG, "")).isdigit():
            retention = int(tags[RETENTION_TAG])

    def first(role: Role) -> str | None:
        found = by_role.get(role.value, [])
        return found[0][0] if found else None

    return Prewired(
        evidence_account_id=first(Role.EVIDENCE_STORE),
        workspace_id=first(Role.LOG_WORKSPACE),
        isolation_nsgs={
            location.lower(): rid for rid, location in by_role.get(Role.ISOLATION_NSG.value, [])
        },
        responder_identity_id=first(Role.RESPONDER_IDENTITY),
        retention_days=retention,
        discovered=bool(tagged),
    )


def apply_overrides(prewired: Prewired, overrides: Overrides) -> Prewired:
    changed = prewired
    if overrides.evidence_account_id:
        changed = replace(changed, evidence_account_id=overrides.evidence_account_id)
    if overrides.isolation_nsg:
        # One group given explicitly serves every location it is asked for.
        changed = replace(changed, isolation_nsgs={"*": overrides.isolation_nsg})
    return changed
