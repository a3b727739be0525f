"""collect-logs on a Cloud Run service against the fake: every revision's logs, the audit entries
naming the service, and what its runtime service account did; a bad reference is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from responders.runtime import InputError, Status
from tests.gcp.conftest import Project, act, open_test_case

SERVICE = "projects/prewire-fake/locations/europe-west1/services/checkout"
RUNTIME = "checkout-run@prewire-fake.iam.gserviceaccount.com"


def _seed(project: Project) -> None:
    project.fake.run.add_service("europe-west1", "checkout", RUNTIME)
    now = datetime.now(UTC)

    def at(minutes: int) -> str:
        return (now - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    where = {"location": "europe-west1"}
    run: dict[str, Any] = {"type": "cloud_run_revision", "labels": where}
    base = "projects/prewire-fake/logs"
    project.fake.logging.entries += [
        {  # a request log of an older revision
            "logName": f"{base}/run.googleapis.com%2Frequests",
            "timestamp": at(50),
            "resource": {
                **run,
                "labels": {**where, "service_name": "checkout", "revision_name": "r1"},
            },
            "httpRequest": {"requestUrl": "https://checkout/.env", "status": 200},
        },
        {  # the container's stdout in the current revision
            "logName": f"{base}/run.googleapis.com%2Fstdout",
            "timestamp": at(45),
            "resource": {
                **run,
                "labels": {**where, "service_name": "checkout", "revision_name": "r2"},
            },
            "textPayload": "spawning /tmp/.x",
        },
        {  # who redeployed it
            "logName": f"{base}/cloudaudit.googleapis.com%2Factivity",
            "timestamp": at(44),
            "resource": {"type": "cloud_run_revision", "labels": {}},
            "protoPayload": {
                "methodName": "google.cloud.run.v2.Services.UpdateService",
                "resourceName": SERVICE,
            },
        },
        {  # what its runtime account read elsewhere
            "logName": f"{base}/cloudaudit.googleapis.com%2Fdata_access",
            "timestamp": at(40),
            "resource": {"type": "gcs_bucket", "labels": {"bucket_name": "cards"}},
            "protoPayload": {"authenticationInfo": {"principalEmail": RUNTIME}},
        },
        {  # another service: not collected
            "logName": f"{base}/run.googleapis.com%2Fstdout",
            "timestamp": at(30),
            "resource": {**run, "labels": {**where, "service_name": "billing"}},
            "textPayload": "ok",
        },
    ]


def test_a_services_logs_and_its_runtime_accounts_actions_are_collected(
    project: Project,
) -> None:
    _seed(project)
    case = open_test_case(project)
    [outcome] = act(case, "collect-logs", SERVICE)
    assert outcome.status is Status.COLLECTED, outcome.message
    assert "4 log entries" in outcome.message
    assert case.store is not None
    [logs] = [a for a in outcome.artifacts if a.key.endswith("logs.jsonl")]
    entries = [json.loads(line) for line in case.store.open(logs.key).read().splitlines()]
    assert entries[1]["textPayload"] == "spawning /tmp/.x"
    assert entries[3]["protoPayload"]["authenticationInfo"]["principalEmail"] == RUNTIME
    [query] = [a for a in outcome.artifacts if a.key.endswith("query.json")]
    text = json.loads(case.store.open(query.key).read())["filter"]
    assert 'resource.labels.service_name="checkout"' in text and RUNTIME in text


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("projects/prewire-fake/locations/europe-west1/services/gone", "not found"),
        ("projects/prewire-fake/services/checkout", "is not a Cloud Run service"),
    ],
)
def test_a_bad_service_is_refused_before_anything(
    project: Project, target: str, message: str
) -> None:
    _seed(project)
    with pytest.raises(InputError, match=message):
        act(open_test_case(project), "collect-logs", target)


def test_a_finding_on_a_service_runs_preserve_service(project: Project) -> None:
    from responders.gcp.findings import respond_to_finding

    _seed(project)
    finding = {
        "name": "projects/prewire-fake/sources/1/findings/run1",
        "resourceName": f"//run.googleapis.com/{SERVICE}",
        "category": "Execution: Suspicious binary",
        "severity": "HIGH",
    }
    result = respond_to_finding({"finding": finding}, project.clients, auto_contain=True)
    assert [(o["action"], o["status"]) for o in result["outcomes"]] == [
        ("collect-logs", "collected")
    ]
