"""What the GCP stack prewired, found by its labels: the evidence bucket
(`prewire-role=evidence-store`) and the quarantine firewall rules (priority 0, deny all, for the
quarantine tag) of each network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.api_core import exceptions as google_errors

from responders.gcp.session import GcpClients

ROLE_LABEL = "prewire-role"
EVIDENCE_ROLE = "evidence-store"
QUARANTINE_TAG = "prewire-quarantine"


@dataclass
class Prewired:
    evidence_bucket: str | None = None
    quarantined_networks: dict[str, set[str]] = field(default_factory=dict)
    """network name -> directions ("INGRESS", "EGRESS") with a deny-all quarantine rule."""
    discovery_error: str | None = None


def is_quarantine_rule(rule: Any) -> bool:
    denies_all = any(d.I_p_protocol == "all" for d in rule.denied) if rule.denied else False
    return (
        QUARANTINE_TAG in list(rule.target_tags)
        and rule.priority == 0
        and denies_all
        and not rule.disabled
    )


def discover(clients: GcpClients, evidence_bucket: str | None = None) -> Prewired:
    found = Prewired(evidence_bucket=evidence_bucket)
    try:
        if found.evidence_bucket is None:
            for bucket in clients.storage.list_buckets(project=clients.project):
                if (bucket.labels or {}).get(ROLE_LABEL) == EVIDENCE_ROLE:
                    found.evidence_bucket = bucket.name
                    break
        for rule in clients.firewalls.list(project=clients.project):
            if is_quarantine_rule(rule):
                network = rule.network.rstrip("/").rsplit("/", 1)[-1]
                found.quarantined_networks.setdefault(network, set()).add(rule.direction)
    except google_errors.GoogleAPICallError as error:
        found.discovery_error = f"discovery incomplete: {error.message}"
    return found
