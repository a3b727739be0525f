"""Threat detection and configuration history: GuardDuty and the AWS Config recorder."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.aws.documents import AwsEnv, document, service_trust, to_json
from stacks.tags import component_tags

# GuardDuty protection plans that produce the findings the responders act on. Runtime
# monitoring supersedes the older EKS-only runtime feature; the two cannot be enabled together.
GUARDDUTY_FEATURES: dict[str, tuple[str, ...]] = {
    "EKS_AUDIT_LOGS": (),
    "RUNTIME_MONITORING": (
        "EKS_ADDON_MANAGEMENT",
        "ECS_FARGATE_AGENT_MANAGEMENT",
        "EC2_AGENT_MANAGEMENT",
    ),
    "EBS_MALWARE_PROTECTION": (),
    "S3_DATA_EVENTS": (),
    "LAMBDA_NETWORK_LOGS": (),
}

CONFIG_PREFIX = "config"


@dataclass
class ThreatDetectionArgs:
    env: pulumi.Input[AwsEnv]
    audit_bucket_name: pulumi.Input[str]
    audit_bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    # Named up front: the audit store's policy exempts this role before the role exists.
    config_role_name: pulumi.Input[str]
    manage_guardduty: bool = True
    manage_config_recorder: bool = True


class ThreatDetection(pulumi.ComponentResource):
    detector: aws.guardduty.Detector | None
    config_role: aws.iam.Role | None

    def __init__(
        self, name: str, args: ThreatDetectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_THREAT_DETECTION, name, None, opts)
        tags = component_tags(name)
        self.detector = self._guardduty(name, tags) if args.manage_guardduty else None
        self.config_role = self._config(name, args, tags) if args.manage_config_recorder else None
        self.register_outputs(
            {
                "detectorId": self.detector.id if self.detector else None,
                "configRoleArn": self.config_role.arn if self.config_role else None,
            }
        )

    def _guardduty(self, name: str, tags: dict[str, str]) -> aws.guardduty.Detector:
        detector = aws.guardduty.Detector(
            f"{name}-guardduty",
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=tags,
            opts=child(self),
        )
        for feature, extras in GUARDDUTY_FEATURES.items():
            aws.guardduty.DetectorFeature(
                f"{name}-{feature.lower().replace('_', '-')}",
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                additional_configurations=[{"name": e, "status": "ENABLED"} for e in extras],
                opts=child(self),
            )
        return detector

    def _config(self, name: str, args: ThreatDetectionArgs, tags: dict[str, str]) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{name}-config",
            name=args.config_role_name,
            assume_role_policy=to_json(service_trust("config.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        partition = pulumi.Output.from_input(args.env).apply(lambda env: env.partition)
        aws.iam.RolePolicyAttachment(
            f"{name}-config-managed",
            role=role.name,
            policy_arn=partition.apply(
                lambda p: f"arn:{p}:iam::aws:policy/service-role/AWS_ConfigRole"
            ),
            opts=child(self),
        )
        aws.iam.RolePolicy(
            f"{name}-config-delivery",
            role=role.id,
            policy=pulumi.Output.all(args.audit_bucket_arn, args.kms_key_arn).apply(
                lambda v: to_json(
                    document(
                        [
                            {
                                "Effect": "Allow",
                                "Action": "s3:PutObject",
                                "Resource": f"{v[0]}/{CONFIG_PREFIX}/*",
                                "Condition": {
                                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}
                                },
                            },
                            {"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": v[0]},
                            {
                                "Effect": "Allow",
                                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                                "Resource": v[1],
                            },
                        ]
                    )
                )
            ),
            opts=child(self),
        )
        recorder = aws.cfg.Recorder(
            f"{name}-recorder",
            role_arn=role.arn,
            recording_group={"all_supported": True, "include_global_resource_types": True},
            opts=child(self),
        )
        channel = aws.cfg.DeliveryChannel(
            f"{name}-delivery",
            s3_bucket_name=args.audit_bucket_name,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=args.kms_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "Six_Hours"},
            opts=child(self, depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            f"{name}-recording",
            name=recorder.name,
            is_enabled=True,
            opts=child(self, depends_on=[channel]),
        )
        return role
