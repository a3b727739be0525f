"""Every AWS control: the ready baseline passes it, and changing one property fails it."""

from __future__ import annotations

import json

import pytest

from policies.catalogue import controls_of
from policies.findings import Status
from policies.static.engine import RULES, evaluate, load_rules
from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.render import Graph
from tests.policies.conftest import VPC, Mutation, add, change, remove, resource

POLICY_DENY_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
S3_LIFECYCLE_RULE = [{"id": "tidy", "status": "Enabled", "expiration": [{"days": 30}]}]

CASES: dict[str, Mutation] = {
    "AWS-TRAIL-001": change(t.CLOUDTRAIL, "cloudtrail", isMultiRegionTrail=False),
    "AWS-TRAIL-002": change(t.CLOUDTRAIL, "cloudtrail", enableLogFileValidation=False),
    "AWS-TRAIL-003": change(t.CLOUDTRAIL, "cloudtrail", kmsKeyId=None),
    "AWS-TRAIL-004": change(t.CLOUDTRAIL, "cloudtrail", cloudWatchLogsGroupArn=None),
    "AWS-TRAIL-005": change(
        t.CLOUDTRAIL,
        "cloudtrail",
        advancedEventSelectors=[
            {
                "name": "management",
                "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
            },
            {
                "name": "lambda",
                "fieldSelectors": [
                    {"field": "resources.type", "equals": ["AWS::Lambda::Function"]}
                ],
            },
        ],
    ),
    "AWS-TRAIL-006": change(
        t.CLOUDTRAIL,
        "cloudtrail",
        advancedEventSelectors=[
            {
                "name": "s3",
                "fieldSelectors": [{"field": "resources.type", "equals": ["AWS::S3::Object"]}],
            }
        ],
    ),
    "AWS-TRAIL-007": change(t.CLOUDTRAIL, "cloudtrail", includeGlobalServiceEvents=False),
    "AWS-STORE-001": change(
        t.S3_OBJECT_LOCK,
        "prewire-evidence",
        rule={"defaultRetention": {"mode": "GOVERNANCE", "days": 365}},
    ),
    "AWS-STORE-002": change(
        t.S3_OBJECT_LOCK,
        "prewire-audit",
        rule={"defaultRetention": {"mode": "COMPLIANCE", "days": 30}},
    ),
    "AWS-STORE-003": change(
        t.S3_VERSIONING, "prewire-audit", versioningConfiguration={"status": "Suspended"}
    ),
    "AWS-STORE-004": change(
        t.S3_ENCRYPTION,
        "prewire-evidence",
        rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
    ),
    "AWS-STORE-005": change(t.S3_PUBLIC_ACCESS_BLOCK, "prewire-audit", restrictPublicBuckets=False),
    "AWS-STORE-006": change(
        t.S3_POLICY,
        "prewire-evidence",
        policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    ),
    "AWS-STORE-007": add(
        resource(
            t.S3_LIFECYCLE,
            "tidy-audit",
            {"bucket": "prewire-audit-8362e60", "rules": S3_LIFECYCLE_RULE},
        )
    ),
    "AWS-STORE-008": remove(t.S3_LOGGING, "prewire-evidence"),
    "AWS-FLOW-001": remove(t.FLOW_LOG, "vpc-0f1e2d3c4b5a69788"),
    "AWS-FLOW-002": change(t.FLOW_LOG, VPC, trafficType="REJECT"),
    "AWS-ISO-001": remove(t.SECURITY_GROUP, f"{VPC}-isolation"),
    "AWS-ISO-002": remove(t.SECURITY_GROUP, f"{VPC}-conversion"),
    "AWS-GUARDDUTY-001": change(t.GUARDDUTY_DETECTOR, "guardduty", enable=False),
    "AWS-GUARDDUTY-002": remove(t.GUARDDUTY_FEATURE, "eks-audit-logs"),
    "AWS-CONFIG-001": change(t.CONFIG_RECORDER, "recorder", recordingGroup={"allSupported": False}),
    "AWS-SNAP-001": lambda g: remove(t.DLM_POLICY)(remove(t.BACKUP_SELECTION)(g)),
    "AWS-SNAP-002": remove(t.BACKUP_VAULT_LOCK),
    "AWS-IAM-001": remove(t.IAM_POLICY, "quarantine"),
    "AWS-IAM-002": change(
        t.IAM_ROLE,
        "identities-break-glass",
        assumeRolePolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": "arn:aws:iam::1:root"},
                    }
                ],
            }
        ),
    ),
    "AWS-IAM-003": change(t.IAM_ROLE, "identities-break-glass", maxSessionDuration=43200),
    "AWS-IAM-004": remove(t.EVENT_TARGET, "break-glass-used"),
    "AWS-IAM-005": add(
        resource(
            t.IAM_ROLE_POLICY,
            "responder-extra",
            {"role": "prewire-responder-eu-west-1", "policy": POLICY_DENY_ALL},
        )
    ),
    "AWS-EKS-001": change(t.EKS_CLUSTER, "app-eks", enabledClusterLogTypes=["api", "audit"]),
    "AWS-EKS-002": change(t.LOG_GROUP, "app-eks-logs", retentionInDays=30),
    "AWS-EKS-003": remove(t.EKS_ADDON, "app-eks-logging"),
    "AWS-LAMBDA-001": change(t.LAMBDA_FUNCTION, "responder", publish=False),
    "AWS-LAMBDA-002": add(
        resource(
            t.IAM_ROLE_POLICY,
            "responder-cleanup",
            {
                "role": "prewire-responder-eu-west-1",
                "policy": json.dumps(
                    {
                        "Statement": [
                            {"Effect": "Allow", "Action": "lambda:DeleteFunction", "Resource": "*"}
                        ]
                    }
                ),
            },
        )
    ),
    "AWS-ECS-001": change(t.ECS_CLUSTER, "app-ecs", configuration=None),
    "AWS-ECS-002": change(
        t.ECS_TASK_DEFINITION,
        "app-task",
        containerDefinitions=json.dumps([{"name": "web", "image": "nginx"}]),
    ),
    "AWS-SSM-001": remove(t.SSM_DOCUMENT),
    "AWS-LOGS-001": change(t.LOG_GROUP, "cloudtrail-logs", retentionInDays=7),
    "AWS-EBS-001": change(t.EC2_INSTANCE, "app-db", rootBlockDevice={"deleteOnTermination": True}),
    "AWS-ASG-001": change(t.AUTOSCALING_GROUP, "app-asg", initialLifecycleHooks=[]),
    "AWS-RESP-001": remove(t.EVENT_TARGET, "guardduty-to-responder"),
}


def statuses(graph: Graph, control_id: str) -> set[Status]:
    return {f.status for f in evaluate(graph) if f.control.id == control_id}


def test_every_control_with_a_static_rule_has_a_case() -> None:
    load_rules()
    assert {r.control_id for r in RULES if r.control_id.startswith("AWS-")} == set(CASES)


def test_every_aws_control_has_a_static_rule() -> None:
    load_rules()
    static = {c.id for c in controls_of(Cloud.AWS) if not c.live_only}
    assert static == {r.control_id for r in RULES if r.control_id.startswith("AWS-")}


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_baseline_passes(baseline: Graph, control_id: str) -> None:
    assert statuses(baseline, control_id) == {Status.PASSED}


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_one_changed_property_fails(baseline: Graph, control_id: str) -> None:
    broken = CASES[control_id](baseline)
    assert Status.FAILED in statuses(broken, control_id)


def test_non_critical_instances_are_not_judged(baseline: Graph) -> None:
    graph = change(
        t.EC2_INSTANCE, "app-db", tags={}, rootBlockDevice={"deleteOnTermination": True}
    )(baseline)
    assert statuses(graph, "AWS-EBS-001") == set()
