"""`prewire:aws:ForensicReadiness`: everything an AWS account needs before an incident."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from prewire.core import tokens
from responders.aws import parameters
from stacks.aws.base import resolve_env
from stacks.aws.detection import ThreatDetection, ThreatDetectionArgs
from stacks.aws.discovery import Discovery, DiscoveryArgs
from stacks.aws.documents import audit_bucket_policy, evidence_bucket_policy, to_json
from stacks.aws.eks import EksLogging, EksLoggingArgs
from stacks.aws.flowlogs import FlowLogs, FlowLogsArgs
from stacks.aws.identity import ResponderIdentities, ResponderIdentitiesArgs, role_arn, role_name
from stacks.aws.isolation import IsolationGroups, IsolationGroupsArgs
from stacks.aws.response import SESSION_LOG_GROUP, ResponseWiring, ResponseWiringArgs
from stacks.aws.snapshots import SnapshotAutomation, SnapshotAutomationArgs
from stacks.aws.storage import (
    AccessLogBucket,
    AccessLogBucketArgs,
    ForensicKey,
    ForensicKeyArgs,
    LockedBucket,
    LockedBucketArgs,
)
from stacks.aws.trail import AuditTrail, AuditTrailArgs


@dataclass
class ForensicReadinessArgs:
    retention_days: int
    log_retention_days: int
    break_glass_principals: Sequence[str]
    vpc_ids: Sequence[str] = ()
    alert_email: str | None = None
    evidence_retention_days: int | None = None
    snapshot_tag: tuple[str, str] = ("prewire:snapshot", "true")
    snapshot_retention_days: int = 35
    min_finding_severity: float = 7.0
    auto_contain: bool = False
    isolation_ssm_endpoint_groups: Mapping[str, str] = field(default_factory=dict)
    responder_principals: Sequence[str] = ()
    break_glass_policy_arns: Sequence[str] = ()
    memory_tool: tuple[str, str] | None = None
    """(s3 uri, sha256) of the staged memory acquisition tool."""
    forensic_account_id: str | None = None
    manage_guardduty: bool = True
    manage_config_recorder: bool = True
    manage_session_manager_preferences: bool = True
    eks_logging: bool = True
    eks_container_logs: bool = True
    eks_logging_opt_out: Sequence[str] = ()


class ForensicReadiness(pulumi.ComponentResource):
    """Immutable audit and evidence stores, CloudTrail, flow logs, detection, snapshots,
    isolation groups, responder identities, automated response and discovery parameters."""

    outputs: dict[str, pulumi.Input[object]]

    def __init__(
        self, name: str, args: ForensicReadinessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_READINESS, name, None, opts)
        here = pulumi.ResourceOptions(parent=self)
        env = resolve_env(self)
        trail_name = f"{name}-trail"
        region = env.apply(lambda e: e.region)
        responder_name = region.apply(lambda r: role_name(name, r, "responder"))
        break_glass_name = region.apply(lambda r: role_name(name, r, "break-glass"))
        config_name = region.apply(lambda r: role_name(name, r, "config"))

        key = ForensicKey(
            f"{name}-forensic",
            ForensicKeyArgs(
                env=env,
                trusted_account_ids=[args.forensic_account_id] if args.forensic_account_id else [],
            ),
            here,
        )
        access_logs = AccessLogBucket(
            f"{name}-access-logs",
            AccessLogBucketArgs(env=env, retention_days=args.retention_days),
            here,
        )
        identities = ResponderIdentities(
            f"{name}-identities",
            ResponderIdentitiesArgs(
                env=env,
                responder_role_name=responder_name,
                break_glass_role_name=break_glass_name,
                break_glass_principals=args.break_glass_principals,
                break_glass_policy_arns=args.break_glass_policy_arns,
                responder_principals=args.responder_principals,
                kms_key_arn=key.arn,
                alert_email=args.alert_email,
            ),
            here,
        )
        config_role_arn = pulumi.Output.all(env, config_name).apply(
            lambda v: role_arn(v[0], v[1]) if args.manage_config_recorder else None
        )
        audit = LockedBucket(
            f"{name}-audit",
            LockedBucketArgs(
                purpose="audit",
                kms_key_arn=key.arn,
                retention_days=args.retention_days,
                access_log_bucket=access_logs.bucket.id,
                access_log_ready=[access_logs.policy],
                policy=lambda arn: pulumi.Output.all(env, config_role_arn).apply(
                    lambda v: to_json(audit_bucket_policy(v[0], arn, trail_name, v[1]))
                ),
            ),
            here,
        )
        evidence = LockedBucket(
            f"{name}-evidence",
            LockedBucketArgs(
                purpose="evidence",
                kms_key_arn=key.arn,
                retention_days=args.evidence_retention_days or args.retention_days,
                access_log_bucket=access_logs.bucket.id,
                access_log_ready=[access_logs.policy],
                policy=lambda arn: pulumi.Output.all(
                    identities.responder_role.arn, identities.break_glass_role.arn
                ).apply(lambda roles: to_json(evidence_bucket_policy(arn, roles))),
            ),
            here,
        )
        memory_tool_object = args.memory_tool[0].removeprefix("s3://") if args.memory_tool else None
        identities.grant_responder(
            f"{name}-identities",
            env,
            evidence_bucket_arn=evidence.arn,
            audit_bucket_arn=audit.arn,
            key_arn=key.arn,
            memory_tool_object=memory_tool_object,
        )
        trail = AuditTrail(
            f"{name}-cloudtrail",
            AuditTrailArgs(
                trail_name=trail_name,
                bucket_name=audit.name,
                kms_key_arn=key.arn,
                log_retention_days=args.log_retention_days,
                data_event_bucket_arns=[audit.arn, evidence.arn],
                depends_on=[audit.policy],
            ),
            here,
        )
        FlowLogs(
            f"{name}-flow-logs",
            FlowLogsArgs(
                vpc_ids=args.vpc_ids, audit_bucket_arn=audit.arn, depends_on=[audit.policy]
            ),
            here,
        )
        detection = ThreatDetection(
            f"{name}-detection",
            ThreatDetectionArgs(
                env=env,
                audit_bucket_name=audit.name,
                audit_bucket_arn=audit.arn,
                kms_key_arn=key.arn,
                config_role_name=config_name,
                manage_guardduty=args.manage_guardduty,
                manage_config_recorder=args.manage_config_recorder,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[audit.policy]),
        )
        snapshots = SnapshotAutomation(
            f"{name}-snapshots",
            SnapshotAutomationArgs(
                env=env,
                kms_key_arn=key.arn,
                tag_key=args.snapshot_tag[0],
                tag_value=args.snapshot_tag[1],
                retention_days=args.snapshot_retention_days,
            ),
            here,
        )
        isolation = IsolationGroups(
            f"{name}-isolation",
            IsolationGroupsArgs(
                vpc_ids=args.vpc_ids, ssm_endpoint_groups=args.isolation_ssm_endpoint_groups
            ),
            here,
        )
        response = ResponseWiring(
            f"{name}-response",
            ResponseWiringArgs(
                responder_role_arn=identities.responder_role.arn,
                responder_role_name=identities.responder_role.name,
                kms_key_arn=key.arn,
                min_finding_severity=args.min_finding_severity,
                auto_contain=args.auto_contain,
                log_retention_days=args.log_retention_days,
                manage_session_manager_preferences=args.manage_session_manager_preferences,
            ),
            here,
        )
        if args.eks_logging:
            # Last of the children: its transformation covers the clusters the program
            # declares after this component.
            EksLogging(
                f"{name}-eks",
                EksLoggingArgs(
                    log_retention_days=args.log_retention_days,
                    kms_key_arn=key.arn,
                    container_logs=args.eks_container_logs,
                    opt_out=args.eks_logging_opt_out,
                ),
                here,
            )
        published: dict[str, pulumi.Input[str]] = {
            parameters.EVIDENCE_BUCKET: evidence.name,
            parameters.AUDIT_BUCKET: audit.name,
            parameters.KMS_KEY_ARN: key.arn,
            parameters.QUARANTINE_POLICY_ARN: identities.quarantine_policy.arn,
            parameters.RESPONDER_ROLE_ARN: identities.responder_role.arn,
            parameters.BREAK_GLASS_ROLE_ARN: identities.break_glass_role.arn,
            parameters.TRAIL_ARN: trail.trail.arn,
            parameters.ALERT_TOPIC_ARN: identities.alert_topic.arn,
            parameters.RESPONDER_FUNCTION: response.function.name,
            parameters.RETENTION_DAYS: str(args.retention_days),
        }
        for vpc_id, groups in isolation.groups.items():
            published[parameters.isolation_group(vpc_id)] = groups.isolation.id
            published[parameters.conversion_group(vpc_id)] = groups.conversion.id
        if args.memory_tool:
            published[parameters.MEMORY_TOOL_URI] = args.memory_tool[0]
            published[parameters.MEMORY_TOOL_SHA256] = args.memory_tool[1]
        if args.forensic_account_id:
            published[parameters.FORENSIC_ACCOUNT_ID] = args.forensic_account_id
        Discovery(f"{name}-discovery", DiscoveryArgs(parameters=published), here)

        self.outputs = {
            "auditBucket": audit.name,
            "evidenceBucket": evidence.name,
            "accessLogBucket": access_logs.bucket.bucket,
            "kmsKeyArn": key.arn,
            "trailArn": trail.trail.arn,
            "trailLogGroup": trail.log_group.name,
            "quarantinePolicyArn": identities.quarantine_policy.arn,
            "breakGlassRoleArn": identities.break_glass_role.arn,
            "responderRoleArn": identities.responder_role.arn,
            "alertTopicArn": identities.alert_topic.arn,
            "isolationGroups": {v: g.isolation.id for v, g in isolation.groups.items()},
            "conversionGroups": {v: g.conversion.id for v, g in isolation.groups.items()},
            "guardDutyDetectorId": detection.detector.id if detection.detector else None,
            "configRoleArn": detection.config_role.arn if detection.config_role else None,
            "sessionLogGroup": SESSION_LOG_GROUP
            if args.manage_session_manager_preferences
            else None,
            "backupVault": snapshots.vault.name,
            "snapshotLifecyclePolicyId": snapshots.lifecycle_policy.id,
            "responderFunctionArn": response.function.arn,
            "findingRuleArn": response.finding_rule.arn,
            "discoveryParameters": sorted(published),
        }
        self.register_outputs(self.outputs)
