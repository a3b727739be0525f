"""The kit's AWS program rendered whole (runpy under Pulumi mocks) with Pulumi.example-aws.yaml."""

from __future__ import annotations

import json

from prewire.core import tokens as t
from prewire.render import Graph
from responders.aws import parameters
from stacks.aws.flowlogs import EXTENDED_FORMAT
from stacks.aws.identity import MAX_BREAK_GLASS_SESSION_SECONDS
from stacks.tags import COMPONENT_KEY, MANAGED_BY_KEY
from tests.stacks.conftest import document, only, statement

TOOL_SHA256 = "3f5c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e"
VPCS = ("vpc-0a1b2c3d4e5f60718", "vpc-0f1e2d3c4b5a69788")


def _bucket_child(graph: Graph, token: str, bucket_name_part: str):
    bucket = only(graph, t.S3_BUCKET, bucket_name_part)
    return [r for r in graph.of_type(token) if r.get("bucket") == bucket.id]


def test_audit_and_evidence_stores_are_locked_in_compliance_mode(example_graph: Graph) -> None:
    for purpose in ("audit", "evidence"):
        bucket = only(example_graph, t.S3_BUCKET, f"prewire-{purpose}")
        assert bucket.inputs["objectLockEnabled"] is True
        assert bucket.inputs.get("forceDestroy") is False
        assert bucket.protect, "evidence stores must be protected from pulumi destroy"
        [lock] = _bucket_child(example_graph, t.S3_OBJECT_LOCK, f"prewire-{purpose}")
        assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 365}
        [versioning] = _bucket_child(example_graph, t.S3_VERSIONING, f"prewire-{purpose}")
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_stores_use_the_dedicated_rotating_key(example_graph: Graph) -> None:
    key = only(example_graph, t.KMS_KEY)
    assert key.inputs["enableKeyRotation"] is True
    for purpose in ("audit", "evidence"):
        [sse] = _bucket_child(example_graph, t.S3_ENCRYPTION, f"prewire-{purpose}")
        rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert rule == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.outputs["arn"]}


def test_every_bucket_blocks_public_access_and_denies_plain_http(example_graph: Graph) -> None:
    for bucket in example_graph.of_type(t.S3_BUCKET):
        [block] = [
            r
            for r in example_graph.of_type(t.S3_PUBLIC_ACCESS_BLOCK)
            if r.get("bucket") == bucket.id
        ]
        assert all(
            block.inputs[k]
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        )
        [policy] = [r for r in example_graph.of_type(t.S3_POLICY) if r.get("bucket") == bucket.id]
        deny = statement(document(policy), "DenyInsecureTransport")
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_audit_store_accepts_writes_only_from_the_log_services(example_graph: Graph) -> None:
    [policy] = _bucket_child(example_graph, t.S3_POLICY, "prewire-audit")
    doc = document(policy)
    writers = {
        s["Principal"]["Service"]
        for s in doc["Statement"]
        if s["Effect"] == "Allow" and "s3:PutObject" in json.dumps(s["Action"])
    }
    assert writers == {
        "cloudtrail.amazonaws.com",
        "delivery.logs.amazonaws.com",
        "config.amazonaws.com",
    }
    deny = statement(doc, "DenyWritesExceptLogServices")
    assert deny["Condition"]["Null"] == {"aws:PrincipalServiceName": "true"}


def test_evidence_store_is_readable_only_by_responder_and_break_glass(example_graph: Graph) -> None:
    [policy] = _bucket_child(example_graph, t.S3_POLICY, "prewire-evidence")
    deny = statement(document(policy), "DenyEvidenceAccessExceptResponders")
    allowed = set(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
    roles = {
        r.outputs["arn"]
        for r in example_graph.of_type(t.IAM_ROLE)
        if ("responder" in r.name and "identities" in r.name)
        or ("break-glass" in r.name and "identities" in r.name)
    }
    assert allowed == roles and len(roles) == 2
    assert "s3:GetObject*" in deny["Action"]


def test_server_access_logs_go_to_a_separate_unlocked_bucket(example_graph: Graph) -> None:
    access = only(example_graph, t.S3_BUCKET, "prewire-access-logs")
    assert not access.inputs.get("objectLockEnabled")
    targets = {
        r.inputs["targetPrefix"]: r.inputs["targetBucket"]
        for r in example_graph.of_type(t.S3_LOGGING)
    }
    assert targets == {"audit/": access.id, "evidence/": access.id}


def test_trail_is_multi_region_validated_encrypted_and_streams_to_logs(
    example_graph: Graph,
) -> None:
    trail = only(example_graph, t.CLOUDTRAIL)
    inputs = trail.inputs
    assert inputs["isMultiRegionTrail"] and inputs["includeGlobalServiceEvents"]
    assert inputs["enableLogFileValidation"] and inputs["enableLogging"]
    assert inputs["kmsKeyId"] == only(example_graph, t.KMS_KEY).outputs["arn"]
    assert inputs["s3BucketName"] == only(example_graph, t.S3_BUCKET, "prewire-audit").id
    group = only(example_graph, t.LOG_GROUP, "cloudtrail")
    assert inputs["cloudWatchLogsGroupArn"] == group.outputs["arn"] + ":*"
    assert group.inputs["retentionInDays"] == 365


def test_trail_records_store_object_and_lambda_data_events(example_graph: Graph) -> None:
    selectors = {
        s["name"]: s["fieldSelectors"]
        for s in only(example_graph, t.CLOUDTRAIL).inputs["advancedEventSelectors"]
    }
    s3_fields = {f["field"]: f for f in selectors["evidence-and-audit-store-objects"]}
    prefixes = set(s3_fields["resources.ARN"]["startsWiths"])
    stores = {
        only(example_graph, t.S3_BUCKET, f"prewire-{p}").outputs["arn"] + "/"
        for p in ("audit", "evidence")
    }
    assert prefixes == stores
    lambda_fields = {f["field"]: f["equals"] for f in selectors["lambda-invocations"]}
    assert lambda_fields["resources.type"] == ["AWS::Lambda::Function"]
    assert lambda_fields["eventCategory"] == ["Data"]


def test_flow_logs_capture_all_traffic_with_extended_fields_for_every_vpc(
    example_graph: Graph,
) -> None:
    flow_logs = {r.inputs["vpcId"]: r for r in example_graph.of_type(t.FLOW_LOG)}
    assert set(flow_logs) == set(VPCS)
    audit_arn = only(example_graph, t.S3_BUCKET, "prewire-audit").outputs["arn"]
    for flow_log in flow_logs.values():
        assert flow_log.inputs["trafficType"] == "ALL"
        assert flow_log.inputs["logFormat"] == EXTENDED_FORMAT
        assert "${pkt-srcaddr}" in EXTENDED_FORMAT and "${flow-direction}" in EXTENDED_FORMAT
        assert flow_log.inputs["logDestination"] == f"{audit_arn}/flow-logs/"


def test_guardduty_watches_eks_audit_logs_runtime_and_malware(example_graph: Graph) -> None:
    detector = only(example_graph, t.GUARDDUTY_DETECTOR)
    assert detector.inputs["enable"] is True
    features = {r.inputs["name"]: r.inputs for r in example_graph.of_type(t.GUARDDUTY_FEATURE)}
    assert {"EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "EBS_MALWARE_PROTECTION"} <= set(features)
    assert all(f["status"] == "ENABLED" for f in features.values())
    assert all(f["detectorId"] == detector.id for f in features.values())


def test_config_records_everything_into_the_audit_store(example_graph: Graph) -> None:
    recorder = only(example_graph, t.CONFIG_RECORDER)
    assert recorder.inputs["recordingGroup"] == {
        "allSupported": True,
        "includeGlobalResourceTypes": True,
    }
    channel = only(example_graph, t.CONFIG_DELIVERY_CHANNEL)
    assert channel.inputs["s3BucketName"] == only(example_graph, t.S3_BUCKET, "prewire-audit").id
    assert only(example_graph, t.CONFIG_RECORDER_STATUS).inputs["isEnabled"] is True


def test_snapshots_are_automated_by_tag_into_a_locked_vault(example_graph: Graph) -> None:
    vault = only(example_graph, t.BACKUP_VAULT)
    lock = only(example_graph, t.BACKUP_VAULT_LOCK)
    assert lock.inputs["backupVaultName"] == vault.outputs["name"]
    assert lock.inputs["changeableForDays"] == 3  # compliance mode once the grace period ends
    assert lock.inputs["minRetentionDays"] == 35
    selection = only(example_graph, t.BACKUP_SELECTION)
    assert selection.inputs["selectionTags"] == [
        {"type": "STRINGEQUALS", "key": "prewire:snapshot", "value": "true"}
    ]
    dlm = only(example_graph, t.DLM_POLICY)
    assert dlm.inputs["policyDetails"]["targetTags"] == {"prewire:snapshot": "true"}
    assert dlm.inputs["policyDetails"]["resourceTypes"] == ["VOLUME"]


def test_isolation_groups_have_no_rules_except_optional_ssm_egress(example_graph: Graph) -> None:
    groups = [r for r in example_graph.of_type(t.SECURITY_GROUP) if r.name.endswith("-isolation")]
    by_vpc = {g.inputs["vpcId"]: g for g in groups}
    assert set(by_vpc) == set(VPCS)
    for vpc, group in by_vpc.items():
        assert group.inputs.get("ingress", []) == []
        egress = group.inputs.get("egress", [])
        if vpc == VPCS[0]:  # configured with an SSM endpoint group
            assert egress == [
                {
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "securityGroups": ["sg-0123456789abcdef0"],
                    "description": egress[0]["description"],
                }
            ]
        else:
            assert egress == []


def test_conversion_groups_allow_all_so_tracked_connections_become_untracked(
    example_graph: Graph,
) -> None:
    groups = [r for r in example_graph.of_type(t.SECURITY_GROUP) if r.name.endswith("-conversion")]
    assert {g.inputs["vpcId"] for g in groups} == set(VPCS)
    for group in groups:
        for direction in ("ingress", "egress"):
            [rule] = group.inputs[direction]
            assert rule["protocol"] == "-1"
            assert rule["cidrBlocks"] == ["0.0.0.0/0"] and rule["ipv6CidrBlocks"] == ["::/0"]


def test_quarantine_policy_denies_everything(example_graph: Graph) -> None:
    policy = only(example_graph, t.IAM_POLICY, "quarantine")
    assert document(policy)["Statement"] == [
        {"Sid": "PrewireQuarantineDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}
    ]


def test_break_glass_role_requires_mfa_short_sessions_and_alerts(example_graph: Graph) -> None:
    role = only(example_graph, t.IAM_ROLE, "identities-break-glass")
    assert role.inputs["maxSessionDuration"] == MAX_BREAK_GLASS_SESSION_SECONDS == 3600
    [trust] = document(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"]["AWS"] == [
        "arn:aws:iam::111122223333:role/IncidentCommander",
        "arn:aws:iam::111122223333:user/oncall-security",
    ]
    assert trust["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
    rule = only(example_graph, t.EVENT_RULE, "break-glass-used")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["requestParameters"]["roleArn"] == [role.outputs["arn"]]
    target = only(example_graph, t.EVENT_TARGET, "break-glass-used")
    topic = only(example_graph, t.SNS_TOPIC)
    assert target.inputs["arn"] == topic.outputs["arn"]
    subscription = only(example_graph, t.SNS_SUBSCRIPTION)
    assert subscription.inputs["endpoint"] == "secops@example.com"


def test_guardduty_findings_invoke_the_responder_function(example_graph: Graph) -> None:
    rule = only(example_graph, t.EVENT_RULE, "guardduty-findings")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.guardduty"]
    assert pattern["detail"]["severity"] == [{"numeric": [">=", 7]}]
    function = only(example_graph, t.LAMBDA_FUNCTION)
    assert function.inputs["handler"] == "responders.aws.handler.handle"
    assert (
        function.inputs["role"]
        == only(example_graph, t.IAM_ROLE, "identities-responder").outputs["arn"]
    )
    assert function.inputs["environment"]["variables"] == {"PREWIRE_AUTO_CONTAIN": "false"}
    target = only(example_graph, t.EVENT_TARGET, "guardduty-to-responder")
    assert target.inputs["arn"] == function.outputs["arn"]
    assert "deadLetterConfig" in target.inputs


def test_session_manager_sessions_are_logged(example_graph: Graph) -> None:
    doc = only(example_graph, t.SSM_DOCUMENT, "session-preferences")
    assert doc.inputs["name"] == "SSM-SessionManagerRunShell"
    content = json.loads(doc.inputs["content"])["inputs"]
    assert content["cloudWatchLogGroupName"] == "/prewire/session-manager"
    assert content["cloudWatchEncryptionEnabled"] is True


def test_every_prewired_resource_is_published_for_discovery(example_graph: Graph) -> None:
    published = {
        r.inputs["name"]: r.inputs["value"] for r in example_graph.of_type(t.SSM_PARAMETER)
    }
    quarantine = only(example_graph, t.IAM_POLICY, "quarantine")
    expected = {
        parameters.EVIDENCE_BUCKET: only(example_graph, t.S3_BUCKET, "prewire-evidence").id,
        parameters.AUDIT_BUCKET: only(example_graph, t.S3_BUCKET, "prewire-audit").id,
        parameters.KMS_KEY_ARN: only(example_graph, t.KMS_KEY).outputs["arn"],
        parameters.QUARANTINE_POLICY_ARN: quarantine.outputs["arn"],
        parameters.MEMORY_TOOL_SHA256: TOOL_SHA256,
        parameters.FORENSIC_ACCOUNT_ID: "444455556666",
    }
    for vpc in VPCS:
        isolation = next(
            r
            for r in example_graph.of_type(t.SECURITY_GROUP)
            if r.inputs["vpcId"] == vpc and r.name.endswith("-isolation")
        )
        expected[parameters.isolation_group(vpc)] = isolation.id
    for name, value in expected.items():
        assert published[name] == value, name
    assert all(name.startswith(parameters.ROOT + "/") for name in published)
    outputs = example_graph.stack_outputs["aws"]
    assert outputs["evidenceBucket"] == expected[parameters.EVIDENCE_BUCKET]
    assert set(outputs["isolationGroups"]) == set(VPCS)


def test_resources_carry_the_prewire_tags_and_sit_under_components(example_graph: Graph) -> None:
    tagged = [r for r in example_graph if r.custom and "tags" in r.inputs]
    assert len(tagged) > 30
    for resource in tagged:
        assert resource.inputs["tags"][MANAGED_BY_KEY] == "prewire", resource.label
        assert resource.inputs["tags"][COMPONENT_KEY], resource.label
    components = {r.urn: r for r in example_graph if not r.custom}
    top = only(example_graph, t.AWS_READINESS)
    for resource in example_graph:
        if resource is top:
            continue
        assert resource.parent in components, f"{resource.label} is not parented to a component"
        assert resource.name.startswith("prewire"), resource.label


def test_every_service_principal_acts_only_for_this_account(example_graph: Graph) -> None:
    """Key, bucket, topic and queue policies: a service principal is allowed only on behalf of
    this account (aws:SourceAccount or aws:SourceArn), so another account cannot make the
    service act on our key or store (confused deputy). CloudWatch Logs' documented guard is the
    encryption context naming this account's log groups."""
    policies = [
        (r.name, r.get("policy"))
        for r in example_graph.of_type(
            t.KMS_KEY, t.S3_POLICY, t.SNS_TOPIC_POLICY, t.SQS_QUEUE_POLICY
        )
    ]
    unguarded = []
    for name, policy in policies:
        document = json.loads(policy) if isinstance(policy, str) else policy
        for allowed in document["Statement"]:
            if allowed["Effect"] != "Allow" or "Service" not in allowed.get("Principal", {}):
                continue
            keys = {k for block in allowed.get("Condition", {}).values() for k in block}
            if keys & {"aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:aws:logs:arn"}:
                continue
            unguarded.append(f"{name}: {allowed.get('Sid')}")
    assert policies and unguarded == []
