"""Collect a GKE cluster's state, or one pod's or node's, through its Kubernetes API, read-only.

The cluster's description (logging and auth configuration included) comes from the Container
API; then the diagnostics of the target's scope are read from the cluster's own API server over
HTTPS, verified with the cluster's CA from that description and authenticated with the
responder's Google token (GKE maps IAM `container.*` permissions onto the reads):

- a cluster: nodes, pods, events, service accounts, role bindings, daemon sets, deployments;
- a pod (`.../namespaces/<ns>/pods/<pod>`): its description, its events, and the logs of each of
  its containers (the current run and, where the container restarted, the previous one);
- a node (`.../nodes/<node>`): its description, the pods scheduled on it and its events; its
  Compute Engine instance is named, for `snapshot-disks` (the node's file systems).

Nothing is exec'd or changed; lists are stored as JSON, logs as text.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.permissions import PERMISSIONS
from responders.gcp.targets import describe_cluster
from responders.registry import action, perms
from responders.runtime import Status, Step

# (artifact name, Kubernetes API path): read-only lists an investigator starts from.
CLUSTER_DIAGNOSTICS = (
    ("nodes", "/api/v1/nodes"),
    ("pods", "/api/v1/pods"),
    ("events", "/api/v1/events"),
    ("service-accounts", "/api/v1/serviceaccounts"),
    ("cluster-role-bindings", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
    ("role-bindings", "/apis/rbac.authorization.k8s.io/v1/rolebindings"),
    ("daemon-sets", "/apis/apps/v1/daemonsets"),
    ("deployments", "/apis/apps/v1/deployments"),
)


def diagnostics(ref: ids.ClusterRef) -> tuple[tuple[str, str], ...]:
    """What is read for the target's scope (a pod's container logs follow from its description)."""
    if ref.pod is not None:
        namespace, pod = ref.pod
        return (
            ("pod.json", f"/api/v1/namespaces/{namespace}/pods/{pod}"),
            (
                "pod-events.json",
                f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3D{pod}",
            ),
        )
    if ref.node is not None:
        return (
            ("node.json", f"/api/v1/nodes/{ref.node}"),
            ("node-pods.json", f"/api/v1/pods?fieldSelector=spec.nodeName%3D{ref.node}"),
            ("node-events.json", f"/api/v1/events?fieldSelector=involvedObject.name%3D{ref.node}"),
        )
    return tuple((f"{name}.json", path) for name, path in CLUSTER_DIAGNOSTICS)


def container_logs(ref: ids.ClusterRef, pod: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(artifact name, log path, previous run) for every container of the pod."""
    assert ref.pod is not None
    namespace, name = ref.pod
    base = f"/api/v1/namespaces/{namespace}/pods/{name}/log?timestamps=true&container="
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
    found = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        cname = str(container.get("name"))
        found.append((f"logs-{cname}.log", f"{base}{cname}", False))
        if int((statuses.get(cname) or {}).get("restartCount") or 0) > 0:
            found.append((f"logs-{cname}-previous.log", f"{base}{cname}&previous=true", True))
    return found


def node_instance(node: dict[str, Any]) -> str | None:
    """The node's instance (`gce://<project>/<zone>/<name>` in its providerID) as a target."""
    provider = str((node.get("spec") or {}).get("providerID") or "")
    if not provider.startswith("gce://"):
        return None
    project, zone, name = provider.removeprefix("gce://").split("/")[:3]
    return f"projects/{project}/zones/{zone}/instances/{name}"


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
    summary="Cluster, pod or node state from the Kubernetes API: lists, events, logs (read-only)",
    target_kind="cluster",
    permissions=perms(*PERMISSIONS["collect-cluster"]),
    destructive=False,
    produces=(EvidenceSource.GKE_CLUSTER, EvidenceSource.GKE_LOGS),
)
def collect_cluster(case: GcpCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"state already collected at {earlier}")
        return Status.UNCHANGED
    ref = ids.cluster(target)
    cluster = describe_cluster(case, ref)
    reads = diagnostics(ref)
    if case.dry_run:
        for name, _ in reads:
            step.planned_artifact(name)
        return Status.PLANNED
    case.save_json(step, "cluster.json", cluster, "the cluster as the Container API describes it")
    missing: list[str] = []
    with tempfile.TemporaryDirectory(prefix="prewire-gke-") as folder:
        session, ca = _kubernetes_session(case, cluster, Path(folder))

        def read(path: str) -> Any:
            # Per request: requests lets REQUESTS_CA_BUNDLE override a session's `verify`.
            return session.get(f"https://{cluster['endpoint']}{path}", timeout=60, verify=ca)

        collected = _read_all(case, step, read, reads, missing)
        if ref.pod is not None and "pod.json" in collected:
            for name, path, previous in container_logs(ref, collected["pod.json"]):
                response = read(path)
                if response.status_code == 200:
                    case.save(
                        step, name, response.content, f"kubectl logs {path.rsplit('=', 1)[-1]}"
                    )
                elif not previous:  # a previous run may be gone: that is no gap
                    missing.append(f"{name} ({response.status_code})")
        if ref.node is not None and "node.json" in collected:
            instance = node_instance(collected["node.json"])
            if instance:
                step.note(f"node instance {instance}: its disks go through snapshot-disks")
    for gap in missing:
        step.warn(f"not collected: {gap}")
    stored = len([a for a in step.artifacts if a.key.rsplit("/", 1)[-1] != "cluster.json"])
    step.note(f"{stored} item(s) collected, {len(missing)} missing")
    return Status.COLLECTED


def _read_all(
    case: GcpCase,
    step: Step,
    read: Callable[[str], Any],
    reads: tuple[tuple[str, str], ...],
    missing: list[str],
) -> dict[str, Any]:
    """Read and store each JSON diagnostic; returns the parsed ones by artifact name."""
    collected: dict[str, Any] = {}
    for name, path in reads:
        response = read(path)
        if response.status_code != 200:
            missing.append(f"{name} ({response.status_code})")
            continue
        case.save(step, name, response.content, f"GET {path}, as JSON")
        collected[name] = response.json()
    return collected
