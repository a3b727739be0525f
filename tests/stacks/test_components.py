"""Each AWS component on its own under Pulumi mocks, one property changed per case."""

from __future__ import annotations

import json

from prewire.core import tokens as t
from prewire.render import render_function
from responders.registry import Permission, Scope
from stacks.aws.detection import ThreatDetection, ThreatDetectionArgs
from stacks.aws.documents import AwsEnv, to_json
from stacks.aws.flowlogs import FlowLogs, FlowLogsArgs
from stacks.aws.identity import ResponderIdentities, ResponderIdentitiesArgs
from stacks.aws.isolation import IsolationGroups, IsolationGroupsArgs
from stacks.aws.responder_policy import MANAGED_POLICY_LIMIT, responder_policies, scope_resources
from stacks.aws.response import ResponseWiring, ResponseWiringArgs
from stacks.aws.snapshots import SnapshotAutomation, SnapshotAutomationArgs
from stacks.aws.storage import LockedBucket, LockedBucketArgs
from tests.stacks.conftest import document, only

ENV = AwsEnv(account_id="123456789012", region="eu-west-1", partition="aws")
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"


def test_locked_bucket_takes_its_retention_and_policy_from_args() -> None:
    graph = render_function(
        lambda: LockedBucket(
            "store",
            LockedBucketArgs(
                purpose="evidence",
                kms_key_arn=KEY,
                retention_days=30,
                access_log_bucket="logs",
                policy=lambda arn: to_json({"Version": "2012-10-17", "Statement": [{"Sid": arn}]}),
            ),
        )
    )
    lock = only(graph, t.S3_OBJECT_LOCK)
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 30}
    bucket = only(graph, t.S3_BUCKET)
    assert document(only(graph, t.S3_POLICY))["Statement"] == [{"Sid": bucket.outputs["arn"]}]
    assert only(graph, t.S3_LOGGING).inputs["targetPrefix"] == "evidence/"
    assert only(graph, t.AWS_LOCKED_BUCKET).type == "prewire:aws:LockedBucket"
    assert {r.parent for r in graph if r.custom} == {only(graph, t.AWS_LOCKED_BUCKET).urn}


def test_flow_logs_follow_the_configured_vpcs() -> None:
    graph = render_function(
        lambda: FlowLogs(
            "flows", FlowLogsArgs(vpc_ids=["vpc-01234567"], audit_bucket_arn="arn:aws:s3:::audit")
        )
    )
    [flow_log] = graph.of_type(t.FLOW_LOG)
    assert flow_log.inputs["vpcId"] == "vpc-01234567"
    assert flow_log.inputs["logDestination"] == "arn:aws:s3:::audit/flow-logs/"
    empty = render_function(
        lambda: FlowLogs("flows", FlowLogsArgs(vpc_ids=[], audit_bucket_arn="x"))
    )
    assert empty.of_type(t.FLOW_LOG) == []


def test_isolation_group_without_ssm_endpoint_has_no_egress_at_all() -> None:
    graph = render_function(
        lambda: IsolationGroups("iso", IsolationGroupsArgs(vpc_ids=["vpc-01234567"]))
    )
    isolation = only(graph, t.SECURITY_GROUP, "-isolation")
    assert isolation.inputs.get("egress", []) == [] and isolation.inputs.get("ingress", []) == []
    assert graph.of_type(t.SG_INGRESS_RULE) == []


def test_isolation_group_with_ssm_endpoint_opens_only_https_to_it() -> None:
    graph = render_function(
        lambda: IsolationGroups(
            "iso",
            IsolationGroupsArgs(
                vpc_ids=["vpc-01234567"], ssm_endpoint_groups={"vpc-01234567": "sg-89abcdef"}
            ),
        )
    )
    [egress] = only(graph, t.SECURITY_GROUP, "-isolation").inputs["egress"]
    assert (egress["protocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 443, 443)
    assert egress["securityGroups"] == ["sg-89abcdef"]
    rule = only(graph, t.SG_INGRESS_RULE)
    assert rule.inputs["securityGroupId"] == "sg-89abcdef"
    assert (
        rule.inputs["referencedSecurityGroupId"] == only(graph, t.SECURITY_GROUP, "-isolation").id
    )


def test_detection_can_leave_existing_guardduty_and_config_alone() -> None:
    graph = render_function(
        lambda: ThreatDetection(
            "detect",
            ThreatDetectionArgs(
                env=ENV,
                audit_bucket_name="audit",
                audit_bucket_arn="arn:aws:s3:::audit",
                kms_key_arn=KEY,
                config_role_name="cfg",
                manage_guardduty=False,
                manage_config_recorder=False,
            ),
        )
    )
    assert graph.of_type(t.GUARDDUTY_DETECTOR) == [] and graph.of_type(t.CONFIG_RECORDER) == []


def test_snapshot_automation_uses_the_configured_tag_and_retention() -> None:
    graph = render_function(
        lambda: SnapshotAutomation(
            "snaps",
            SnapshotAutomationArgs(
                env=ENV, kms_key_arn=KEY, tag_key="backup", tag_value="forensic", retention_days=90
            ),
        )
    )
    assert only(graph, t.BACKUP_VAULT_LOCK).inputs["minRetentionDays"] == 90
    [rule] = only(graph, t.BACKUP_PLAN).inputs["rules"]
    assert rule["lifecycle"] == {"deleteAfter": 90}
    assert only(graph, t.DLM_POLICY).inputs["policyDetails"]["targetTags"] == {"backup": "forensic"}
    assert only(graph, t.BACKUP_VAULT).protect


def test_identities_without_alert_email_create_no_subscription() -> None:
    graph = render_function(
        lambda: ResponderIdentities(
            "ids",
            ResponderIdentitiesArgs(
                env=ENV,
                responder_role_name="r",
                break_glass_role_name="b",
                kms_key_arn=KEY,
                break_glass_principals=["arn:aws:iam::123456789012:role/Ops"],
            ),
        )
    )
    assert graph.of_type(t.SNS_SUBSCRIPTION) == []
    responder = only(graph, t.IAM_ROLE, "ids-responder")
    [function_trust] = document(responder, "assumeRolePolicy")["Statement"]
    assert function_trust["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_identities_let_responder_principals_in_only_with_mfa() -> None:
    graph = render_function(
        lambda: ResponderIdentities(
            "ids",
            ResponderIdentitiesArgs(
                env=ENV,
                responder_role_name="r",
                break_glass_role_name="b",
                kms_key_arn=KEY,
                break_glass_principals=["arn:aws:iam::123456789012:role/Ops"],
                responder_principals=["arn:aws:iam::123456789012:role/Responders"],
            ),
        )
    )
    statements = document(only(graph, t.IAM_ROLE, "ids-responder"), "assumeRolePolicy")["Statement"]
    humans = [s for s in statements if "AWS" in s["Principal"]]
    assert humans[0]["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}


def test_auto_containment_is_passed_to_the_function() -> None:
    def build() -> None:
        ResponseWiring(
            "resp",
            ResponseWiringArgs(
                responder_role_arn="arn:aws:iam::123456789012:role/r",
                responder_role_name="r",
                kms_key_arn=KEY,
                min_finding_severity=4,
                auto_contain=True,
                log_retention_days=30,
                manage_session_manager_preferences=False,
            ),
        )

    graph = render_function(build)
    function = only(graph, t.LAMBDA_FUNCTION)
    assert function.inputs["environment"]["variables"] == {"PREWIRE_AUTO_CONTAIN": "true"}
    pattern = json.loads(only(graph, t.EVENT_RULE).inputs["eventPattern"])
    assert pattern["detail"]["severity"] == [{"numeric": [">=", 4]}]
    # No Session Manager preferences unless managed; only prewire's memory documents.
    assert {d.inputs["name"] for d in graph.of_type(t.SSM_DOCUMENT)} == {
        "prewire-CaptureMemory",
        "prewire-UploadMemoryImage",
    }


def test_responder_policies_split_to_fit_iam_size_limit() -> None:
    many = [Permission(f"ec2:Describe{'X' * 40}{n}") for n in range(400)]
    resources = scope_resources(
        ENV,
        evidence_bucket_arn="arn:aws:s3:::e",
        audit_bucket_arn="arn:aws:s3:::a",
        key_arn=KEY,
        memory_tool_object=None,
    )
    documents = responder_policies(many, resources)
    assert len(documents) > 1
    assert all(len(to_json(d)) <= MANAGED_POLICY_LIMIT for d in documents)
    granted = [a for d in documents for s in d["Statement"] for a in s["Action"]]
    assert sorted(granted) == sorted(p.action for p in many)


def test_memory_tool_scope_points_at_the_configured_object() -> None:
    resources = scope_resources(
        ENV,
        evidence_bucket_arn="arn:aws:s3:::e",
        audit_bucket_arn="arn:aws:s3:::a",
        key_arn=KEY,
        memory_tool_object="tools-bucket/avml",
    )
    assert resources[Scope.MEMORY_TOOL] == ["arn:aws:s3:::tools-bucket/avml"]
    default = scope_resources(
        ENV,
        evidence_bucket_arn="arn:aws:s3:::e",
        audit_bucket_arn="arn:aws:s3:::a",
        key_arn=KEY,
        memory_tool_object=None,
    )
    assert default[Scope.MEMORY_TOOL] == ["arn:aws:s3:::e/tools/*"]
