"""The deployed function's handler: GuardDuty finding in, the right response out."""

from __future__ import annotations

from typing import Any

import pytest

from prewire.drill.aws.environment import PreparedAccount
from responders.aws.findings import case_id_for, plan_response
from responders.aws.handler import respond_to_event
from tests.aws.conftest import open_test_case


def finding(resource: dict[str, Any], kind: str = "Backdoor:EC2/C&CActivity.B") -> dict[str, Any]:
    return {"id": "7ac6e8d1f2", "type": kind, "severity": 8.0, "resource": resource}


@pytest.mark.parametrize(
    ("resource", "auto", "expected"),
    [
        (
            {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-1"}},
            False,
            ("playbook", "preserve-instance", ("i-1",)),
        ),
        (
            {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-1"}},
            True,
            ("playbook", "contain-instance", ("i-1",)),
        ),
        (
            {
                "resourceType": "AccessKey",
                "accessKeyDetails": {"userName": "bob", "userType": "IAMUser"},
            },
            True,
            ("playbook", "contain-credentials", ("user/bob",)),
        ),
        (
            {
                "resourceType": "AccessKey",
                "accessKeyDetails": {"userName": "bob", "userType": "IAMUser"},
            },
            False,
            ("action", "collect-logs", ("user/bob",)),
        ),
        (
            {"resourceType": "Lambda", "lambdaDetails": {"functionName": "api"}},
            False,
            ("action", "preserve-function", ("api",)),
        ),
        (
            {"resourceType": "EKSCluster", "eksClusterDetails": {"name": "prod"}},
            False,
            ("playbook", "investigate-cluster", ("prod",)),
        ),
        (
            {
                "resourceType": "ECSCluster",
                "ecsClusterDetails": {"name": "jobs", "taskDetails": {"group": "service:worker"}},
            },
            True,
            ("action", "collect-tasks", ("jobs/worker",)),
        ),
        (
            {
                "resourceType": "ECSCluster",
                "ecsClusterDetails": {"name": "jobs", "taskDetails": {"group": "family:batch"}},
            },
            False,
            ("action", "collect-tasks", ("jobs",)),
        ),
    ],
)
def test_findings_map_to_responses(
    resource: dict[str, Any], auto: bool, expected: tuple[Any, ...]
) -> None:
    plan = plan_response(finding(resource), auto_contain=auto)
    assert plan is not None
    assert (plan.kind, plan.name, plan.targets) == expected
    assert plan.case_id == "gd-7ac6e8d1f2" == case_id_for(finding(resource))


def test_unknown_resource_types_get_no_response() -> None:
    assert plan_response(finding({"resourceType": "RDSDBInstance"}), auto_contain=True) is None


def test_handler_preserves_evidence_without_touching_the_workload(account: PreparedAccount) -> None:
    event = {
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "region": "us-east-1",
        "detail": finding(
            {
                "resourceType": "Instance",
                "instanceDetails": {"instanceId": account.victim.instance_id},
            }
        ),
    }
    result = respond_to_event(event, account.responder(), auto_contain=False)
    assert result["case"] == "gd-7ac6e8d1f2"
    actions = {o["action"] for o in result["outcomes"]}
    assert "isolate-instance" not in actions and "quarantine-identity" not in actions
    assert {"protect-instance", "snapshot-disks", "collect-instance-metadata"} <= actions
    case = open_test_case(account, "gd-7ac6e8d1f2")
    assert case.custody is not None
    assert {e.action for e in case.custody.history()} == actions
    groups = account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
        "Reservations"
    ][0]["Instances"][0]["NetworkInterfaces"][0]["Groups"]
    assert [g["GroupId"] for g in groups] == [account.network.web_group]
