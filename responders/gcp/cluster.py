"""Collect a GKE cluster's state through its Kubernetes API, read-only.

The cluster's description (logging and auth configuration included) comes from the Container
API; then the configured diagnostics are read from the cluster's own API server over HTTPS,
verified with the cluster's CA from that description and authenticated with the responder's
Google token (GKE maps IAM `container.*` permissions onto the reads). Nothing is exec'd or
changed; each list is stored as JSON. Node file systems go through `snapshot-disks` on the nodes.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

from prewire.vocabulary import Cloud, EvidenceSource
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.permissions import PERMISSIONS
from responders.gcp.targets import describe_cluster
from responders.registry import action, perms
from responders.runtime import Status, Step

# (artifact name, Kubernetes API path): read-only lists an investigator starts from.
DIAGNOSTICS = (
    ("nodes", "/api/v1/nodes"),
    ("pods", "/api/v1/pods"),
    ("events", "/api/v1/events"),
    ("service-accounts", "/api/v1/serviceaccounts"),
    ("cluster-role-bindings", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
    ("role-bindings", "/apis/rbac.authorization.k8s.io/v1/rolebindings"),
    ("daemon-sets", "/apis/apps/v1/daemonsets"),
    ("deployments", "/apis/apps/v1/deployments"),
)


def _kubernetes_session(case: GcpCase, cluster: dict[str, Any], folder: Path) -> tuple[Any, str]:
    """(an authorized session, the path of the cluster's CA to verify every request with)."""
    from google.auth.transport.requests import AuthorizedSession

    from responders.gcp.session import record

    ca = folder / "cluster-ca.pem"
    ca.write_bytes(base64.b64decode(cluster["masterAuth"]["clusterCaCertificate"]))
    session = AuthorizedSession(case.clients.credentials)  # type: ignore[no-untyped-call]
    session.hooks["response"].append(record)
    return session, str(ca)


@action(
    Cloud.GCP,
    "collect-cluster",
    summary="Cluster description and nodes, pods, events, bindings, workloads (read-only)",
    target_kind="cluster",
    permissions=perms(*PERMISSIONS["collect-cluster"]),
    destructive=False,
    produces=(EvidenceSource.GKE_CLUSTER,),
)
def collect_cluster(case: GcpCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"cluster state already collected at {earlier}")
        return Status.UNCHANGED
    cluster = describe_cluster(case, ids.cluster(target))
    if case.dry_run:
        for name, _ in DIAGNOSTICS:
            step.planned_artifact(f"{name}.json")
        return Status.PLANNED
    case.save_json(step, "cluster.json", cluster, "the cluster as the Container API describes it")
    missing = []
    with tempfile.TemporaryDirectory(prefix="prewire-gke-") as folder:
        session, ca = _kubernetes_session(case, cluster, Path(folder))
        for name, path in DIAGNOSTICS:
            # Per request: requests lets REQUESTS_CA_BUNDLE override a session's `verify`.
            url = f"https://{cluster['endpoint']}{path}"
            response = session.get(url, timeout=60, verify=ca)
            if response.status_code != 200:
                missing.append(f"{name} ({response.status_code})")
                continue
            case.save(step, f"{name}.json", response.content, f"kubectl get {name}, as JSON")
    for gap in missing:
        step.warn(f"not collected: {gap}")
    step.note(f"{len(DIAGNOSTICS) - len(missing)} of {len(DIAGNOSTICS)} lists collected")
    return Status.COLLECTED
