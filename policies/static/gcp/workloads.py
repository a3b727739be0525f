"""GKE system and workload logging."""

from __future__ import annotations

from policies.static.engine import Context, as_list, resource_rule
from policies.static.gcp.common import GKE_COMPONENTS
from prewire.core import tokens as t
from prewire.core.graph import Resource


@resource_rule("GCP-GKE-001", t.GCP_GKE_CLUSTER)
def gke_logging(cluster: Resource, context: Context) -> str | None:
    if cluster.get("loggingService") == "none":
        return "logging disabled"
    components = set(as_list((cluster.get("loggingConfig") or {}).get("enableComponents")))
    missing = sorted(GKE_COMPONENTS - components)
    return f"not logged: {', '.join(missing)}" if missing else None
