"""The checkers themselves: each rejects what breaks the official description, naming the field,
so the session-wide check cannot pass by checking nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.emulator.serving import Exchange
from tests.fidelity.azure_models import AzureChecker
from tests.fidelity.discovery import DiscoveryChecker
from tests.fidelity.kubernetes import KubernetesChecker
from tests.fidelity.session import SESSION

INSTANCE = "/compute/v1/projects/p/zones/europe-west1-b/instances/web-1"


def exchange(
    method: str,
    path: str,
    response: Any = None,
    request: Any = None,
    *,
    query: dict[str, list[str]] | None = None,
    status: int = 200,
    service: str = "gcp",
    content_type: str = "application/json",
) -> Exchange:
    return Exchange(
        service=service,
        method=method,
        path=path,
        query=query or {},
        request_headers={"Content-Type": "application/json"},
        request_body=json.dumps(request).encode() if request is not None else b"",
        status=status,
        response_headers={"Content-Type": content_type},
        response_body=(
            response.encode() if isinstance(response, str) else json.dumps(response).encode()
        )
        if response is not None
        else b"",
    )


@pytest.fixture(scope="module")
def discovery() -> DiscoveryChecker:
    return DiscoveryChecker()


def test_a_faithful_exchange_passes(discovery: DiscoveryChecker) -> None:
    body = {"name": "web-1", "status": "RUNNING", "tags": {"items": ["a"], "fingerprint": "x"}}
    assert discovery.check(exchange("GET", INSTANCE, body)) == []


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        ({"name": "web-1", "colour": "blue"}, "response colour: unknown field"),
        ({"name": 7}, "response name: expected a string"),
        ({"status": "SLEEPING"}, "response status: 'SLEEPING' is not one of"),
        ({"tags": {"items": "a"}}, "response tags.items: expected an array"),
        ({"deletionProtection": "yes"}, "response deletionProtection: expected a boolean"),
    ],
)
def test_a_wrong_response_body_is_named_by_field(
    discovery: DiscoveryChecker, wrong: dict[str, Any], problem: str
) -> None:
    [found] = discovery.check(exchange("GET", INSTANCE, wrong))
    assert found.startswith("compute.v1 compute.instances.get: ") and problem in found


def test_a_wrong_request_body_query_or_path_is_refused(discovery: DiscoveryChecker) -> None:
    set_tags = f"{INSTANCE}/setTags"
    operation = {"kind": "compute#operation", "name": "op-1", "status": "RUNNING"}
    assert (
        discovery.check(exchange("POST", set_tags, operation, {"items": ["q"], "fingerprint": "f"}))
        == []
    )
    [body] = discovery.check(exchange("POST", set_tags, operation, {"tags": ["q"]}))
    assert "request tags: unknown field" in body
    [query] = discovery.check(exchange("GET", INSTANCE, {}, query={"view": ["FULL"]}))
    assert "query parameter 'view' is not a parameter" in query
    [path] = discovery.check(exchange("POST", f"{INSTANCE}/hibernate", operation))
    assert "no method of the discovery documents has this path" in path
    [error] = discovery.check(
        exchange("GET", INSTANCE, {"error": {"code": 404, "why": "x"}}, status=404)
    )
    assert "error error.why: unknown field" in error


def test_int64_fields_are_strings_and_media_downloads_are_bytes(
    discovery: DiscoveryChecker,
) -> None:
    bucket = "/storage/v1/b/evidence"
    [found] = discovery.check(
        exchange("GET", bucket, {"name": "evidence", "retentionPolicy": {"retentionPeriod": 1.5}})
    )
    assert "retentionPolicy.retentionPeriod: expected a string" in found
    raw = exchange(
        "GET", "/download/storage/v1/b/evidence/o/a%2Fb.json", "not json", query={"alt": ["media"]}
    )
    assert discovery.check(raw) == []


@pytest.fixture(scope="module")
def kubernetes() -> KubernetesChecker:
    return KubernetesChecker()


def test_kubernetes_reads_are_checked_against_the_openapi_models(
    kubernetes: KubernetesChecker,
) -> None:
    pods = {
        "apiVersion": "v1",
        "kind": "PodList",
        "items": [{"metadata": {"name": "web"}}],
        "metadata": {},
    }
    ok = exchange(
        "GET",
        "/api/v1/pods",
        pods,
        query={"fieldSelector": ["spec.nodeName=n1"]},
        service="kubernetes",
    )
    assert kubernetes.check(ok) == []
    wrong = {**pods, "items": [{"metadata": {"name": "web", "labelz": {}}}]}
    [found] = kubernetes.check(exchange("GET", "/api/v1/pods", wrong, service="kubernetes"))
    assert "list_pod_for_all_namespaces: response items[0].metadata.labelz: unknown field" in found
    [query] = kubernetes.check(
        exchange("GET", "/api/v1/pods", pods, query={"selector": ["a"]}, service="kubernetes")
    )
    assert "query parameter 'selector'" in query
    logs = exchange(
        "GET",
        "/api/v1/namespaces/d/pods/web/log",
        "2026-01-01T00:00:00Z started",
        query={"container": ["app"], "timestamps": ["true"]},
        service="kubernetes",
        content_type="text/plain",
    )
    assert kubernetes.check(logs) == []


@pytest.mark.fidelity_violations_expected
def test_an_injected_mismatch_in_the_fake_fails_the_session_check() -> None:
    """A fake that answers a field Google does not have is caught while a responder runs."""
    from prewire.emulator.gcp import FakeGcp
    from responders.gcp.session import GcpClients

    with FakeGcp() as fake:
        fake.compute.add_instance(
            "europe-west1-b", "web-1", "projects/prewire-fake/global/networks/default"
        )
        fake.compute.instances[("europe-west1-b", "web-1")]["nickname"] = "injected"
        before = len(SESSION.violations)
        clients = GcpClients(fake.project, fake.credentials(), fake.url, poll_seconds=0.01)
        clients.instances.get(project=fake.project, zone="europe-west1-b", instance="web-1")
        found = SESSION.violations[before:]
    assert any("compute.instances.get: response nickname: unknown field" in v for v in found), found


VM = (
    "/subscriptions/00000000-0000-4000-8000-00000000f00d/resourceGroups/victim/providers"
    "/Microsoft.Compute/virtualMachines/web-1"
)


@pytest.fixture(scope="module")
def azure() -> AzureChecker:
    return AzureChecker()


def test_an_azure_exchange_is_checked_against_the_sdk_models(azure: AzureChecker) -> None:
    vm = {
        "id": VM,
        "name": "web-1",
        "location": "westeurope",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "provisioningState": "Succeeded",
        },
    }
    version = {"api-version": ["2026-04-01"]}
    assert azure.check(exchange("GET", VM, vm, query=version, service="azure")) == []
    wrong = {**vm, "properties": {"hardwareProfile": {"vmSize": 2}, "powerState": "on"}}
    found = azure.check(exchange("GET", VM, wrong, query=version, service="azure"))
    assert any("properties.hardwareProfile.vmSize: expected a string" in p for p in found), found
    assert any("properties.powerState: unknown field" in p for p in found), found
    assert all(p.startswith("compute virtual_machines_get (2026-04-01): ") for p in found)
    [query] = azure.check(
        exchange("GET", VM, vm, query={**version, "$top": ["1"]}, service="azure")
    )
    assert "query parameter '$top' is not a parameter" in query
    error = {"error": {"code": "NotFound", "message": "x", "severity": "high"}}
    [envelope] = azure.check(exchange("GET", VM, error, query=version, status=404, service="azure"))
    assert "error error.severity: unknown field" in envelope


@pytest.mark.fidelity_violations_expected
def test_an_injected_mismatch_in_the_azure_fake_fails_the_session_check() -> None:
    from prewire.emulator.azure import FakeAzure

    with FakeAzure() as fake:
        group = f"/subscriptions/{fake.subscription}/resourceGroups/victim"
        fake.state.put(
            {
                "id": f"{group}/providers/Microsoft.Network/networkSecurityGroups/web",
                "name": "web",
                "type": "Microsoft.Network/networkSecurityGroups",
                "location": "westeurope",
                "properties": {"securityRules": [], "colour": "injected"},
            }
        )
        before = len(SESSION.violations)
        fake.clients().network.network_security_groups.get("victim", "web")
        found = SESSION.violations[before:]
    assert any(
        "network_security_groups_get" in v and "properties.colour: unknown field" in v
        for v in found
    ), found


def test_aks_command_output_is_checked_against_the_kubernetes_models(azure: AzureChecker) -> None:
    cluster = VM.replace(
        "Microsoft.Compute/virtualMachines/web-1", "Microsoft.ContainerService/managedClusters/aks"
    )
    result_path = "/subscriptions/s/providers/Prewire.Fake/locations/local/operationResults/op-1"
    started = Exchange(
        service="azure",
        method="POST",
        path=f"{cluster}/runCommand",
        query={"api-version": ["2026-08-01"]},
        request_headers={},
        request_body=json.dumps({"command": "kubectl get pods --all-namespaces -o yaml"}).encode(),
        status=202,
        response_headers={"Location": f"https://127.0.0.1{result_path}?api-version=1"},
        response_body=b"",
    )
    assert azure.check(started) == []
    logs = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: web, nickname: x}\n"
    body = {"id": "r1", "properties": {"exitCode": 0, "logs": logs}}
    found = azure.check(exchange("GET", result_path, body, service="azure"))
    assert any("items[0] (Pod) metadata.nickname: unknown field" in p for p in found), found
