"""collect-cluster against the fake: the Container API description, then the cluster's own
Kubernetes API over HTTPS trusted through the CA the description carries; reads only."""

from __future__ import annotations

import json

import pytest

from responders.gcp.cluster import DIAGNOSTICS
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
    for name, path in DIAGNOSTICS[:-1]:  # deployments left out: reported, not invented
        fake.gke.objects[path] = {"kind": "List", "items": [{"metadata": {"name": f"{name}-1"}}]}
    return CLUSTER


def test_the_cluster_is_described_and_read_without_a_change(project: Project, cluster: str) -> None:
    case = open_test_case(project)
    [outcome] = act(case, "collect-cluster", cluster)
    assert outcome.status is Status.COLLECTED, outcome.message
    assert outcome.message == f"{len(DIAGNOSTICS) - 1} of {len(DIAGNOSTICS)} lists collected"
    assert outcome.warnings == ["not collected: deployments (404)"]
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
    ],
)
def test_bad_cluster_targets_are_refused(
    project: Project, cluster: str, target: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        act(open_test_case(project), "collect-cluster", target)
    assert project.fake.gke.api_requests == []
