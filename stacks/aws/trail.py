"""CloudTrail: every region, global services, validated digests, KMS, S3 and CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.aws.documents import document, service_trust, to_json
from stacks.tags import component_tags


@dataclass
class AuditTrailArgs:
    trail_name: str
    bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    data_event_bucket_arns: Sequence[pulumi.Input[str]]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


def data_event_selectors(
    bucket_arns: Sequence[str],
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """Advanced selectors: all management events, S3 object events on the stores, Lambda invokes."""
    store_objects = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgsDict(
        field="resources.ARN", starts_withs=[f"{arn}/" for arn in bucket_arns]
    )
    return [
        {
            "name": "management-events",
            "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
        },
        {
            "name": "evidence-and-audit-store-objects",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                store_objects,
            ],
        },
        {
            "name": "lambda-invocations",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::Lambda::Function"]},
            ],
        },
    ]


class AuditTrail(pulumi.ComponentResource):
    trail: aws.cloudtrail.Trail
    log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_AUDIT_TRAIL, name, None, opts)
        tags = component_tags(name)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/prewire/cloudtrail/{args.trail_name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child(self),
        )
        delivery_role = aws.iam.Role(
            f"{name}-to-logs",
            assume_role_policy=to_json(service_trust("cloudtrail.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        delivery_policy = aws.iam.RolePolicy(
            f"{name}-to-logs",
            role=delivery_role.id,
            policy=self.log_group.arn.apply(
                lambda arn: to_json(
                    document(
                        [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{arn}:log-stream:*",
                            }
                        ]
                    )
                )
            ),
            opts=child(self),
        )
        self.trail = aws.cloudtrail.Trail(
            name,
            name=args.trail_name,
            s3_bucket_name=args.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=args.kms_key_arn,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=delivery_role.arn,
            advanced_event_selectors=pulumi.Output.all(*args.data_event_bucket_arns).apply(
                data_event_selectors
            ),
            tags=tags,
            opts=child(self, depends_on=[delivery_policy, *args.depends_on]),
        )
        self.register_outputs({"arn": self.trail.arn, "logGroup": self.log_group.name})
