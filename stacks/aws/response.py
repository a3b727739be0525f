"""Automated response wiring: GuardDuty findings to the responder function, and Session Manager
logging so every interactive session on an instance leaves a record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

import prewire
import responders
from prewire.core import tokens
from responders.aws import parameters
from responders.aws.handler import AUTO_CONTAIN_ENV
from responders.aws.memory_documents import DOCUMENTS as MEMORY_DOCUMENTS
from stacks.aws.base import child
from stacks.aws.documents import document, guardduty_pattern, queue_policy, to_json
from stacks.tags import component_tags

HANDLER = "responders.aws.handler.handle"
RUNTIME = "python3.12"
TIMEOUT_SECONDS = 900
# Bounded so a burst of findings cannot exhaust the account's concurrency or API quotas.
MAX_CONCURRENT_RESPONSES = 10
SESSION_DOCUMENT = parameters.SESSION_PREFERENCES_DOCUMENT
SESSION_LOG_GROUP = "/prewire/session-manager"


def code_archive() -> pulumi.AssetArchive:
    """The responder code as deployed: the `responders` package and the light `prewire` core.

    The function's runtime provides boto3; nothing else outside the standard library is used on
    the handler's import path (a test keeps it that way).
    """
    return pulumi.AssetArchive(
        {
            "responders": pulumi.FileArchive(str(Path(responders.__file__).parent)),
            "prewire": pulumi.FileArchive(str(Path(prewire.__file__).parent)),
        }
    )


def session_preferences(log_group_name: str) -> str:
    return json.dumps(
        {
            "schemaVersion": "1.0",
            "description": "prewire: Session Manager sessions are logged to CloudWatch Logs",
            "sessionType": "Standard_Stream",
            "inputs": {
                "cloudWatchLogGroupName": log_group_name,
                "cloudWatchEncryptionEnabled": True,
                "cloudWatchStreamingEnabled": True,
                "s3BucketName": "",
                "kmsKeyId": "",
                "runAsEnabled": False,
                "idleSessionTimeout": "20",
            },
        }
    )


@dataclass
class ResponseWiringArgs:
    responder_role_arn: pulumi.Input[str]
    responder_role_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    min_finding_severity: float
    auto_contain: bool
    log_retention_days: int
    manage_session_manager_preferences: bool = True


class ResponseWiring(pulumi.ComponentResource):
    function: aws.lambda_.Function
    finding_rule: aws.cloudwatch.EventRule
    dead_letters: aws.sqs.Queue

    def __init__(
        self, name: str, args: ResponseWiringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_RESPONSE, name, None, opts)
        tags = component_tags(name)
        self.dead_letters = aws.sqs.Queue(
            f"{name}-dead-letters",
            kms_master_key_id=args.kms_key_arn,
            message_retention_seconds=14 * 24 * 3600,
            tags=tags,
            opts=child(self),
        )
        function_logs = aws.cloudwatch.LogGroup(
            f"{name}-function-logs",
            name=f"/prewire/responder/{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child(self),
        )
        # What the function needs to run (its own logs and dead letters), kept apart from the
        # generated responder permissions so those stay exactly what the actions declare.
        runtime_policy = aws.iam.RolePolicy(
            f"{name}-function-runtime",
            role=args.responder_role_name,
            policy=pulumi.Output.all(function_logs.arn, self.dead_letters.arn).apply(
                lambda v: to_json(
                    document(
                        [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{v[0]}:*",
                            },
                            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": v[1]},
                            {
                                "Effect": "Allow",
                                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                "Resource": "*",
                            },
                        ]
                    )
                )
            ),
            opts=child(self),
        )
        self.function = aws.lambda_.Function(
            f"{name}-responder",
            description="prewire responder: acts on GuardDuty findings",
            runtime=RUNTIME,
            handler=HANDLER,
            code=code_archive(),
            role=args.responder_role_arn,
            timeout=TIMEOUT_SECONDS,
            memory_size=512,
            reserved_concurrent_executions=MAX_CONCURRENT_RESPONSES,
            publish=True,  # every deployed revision keeps an immutable version
            kms_key_arn=args.kms_key_arn,
            environment={"variables": {AUTO_CONTAIN_ENV: "true" if args.auto_contain else "false"}},
            dead_letter_config={"target_arn": self.dead_letters.arn},
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "JSON", "log_group": function_logs.name},
            tags=tags,
            opts=child(self, depends_on=[runtime_policy]),
        )
        self.finding_rule = aws.cloudwatch.EventRule(
            f"{name}-guardduty-findings",
            description=f"prewire: GuardDuty findings of severity {args.min_finding_severity}+",
            event_pattern=to_json(guardduty_pattern(args.min_finding_severity)),
            tags=tags,
            opts=child(self),
        )
        aws.sqs.QueuePolicy(
            f"{name}-dead-letters",
            queue_url=self.dead_letters.url,
            policy=pulumi.Output.all(self.dead_letters.arn, self.finding_rule.arn).apply(
                lambda v: to_json(queue_policy(v[0], [v[1]]))
            ),
            opts=child(self),
        )
        permission = aws.lambda_.Permission(
            f"{name}-events-invoke",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="events.amazonaws.com",
            source_arn=self.finding_rule.arn,
            opts=child(self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-guardduty-to-responder",
            rule=self.finding_rule.name,
            arn=self.function.arn,
            retry_policy={"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 8},
            dead_letter_config={"arn": self.dead_letters.arn},
            opts=child(self, depends_on=[permission]),
        )
        if args.manage_session_manager_preferences:
            self._session_manager(name, args, tags)
        # The only documents the responder role may send to instances (capture-memory).
        for memory in MEMORY_DOCUMENTS:
            aws.ssm.Document(
                f"{name}-{memory.name.removeprefix('prewire-').lower()}",
                name=memory.name,
                document_type="Command",
                document_format="JSON",
                content=to_json(memory.content()),
                tags=tags,
                opts=child(self),
            )
        self.register_outputs(
            {
                "functionArn": self.function.arn,
                "findingRuleArn": self.finding_rule.arn,
                "deadLetterQueueUrl": self.dead_letters.url,
            }
        )

    def _session_manager(self, name: str, args: ResponseWiringArgs, tags: dict[str, str]) -> None:
        # Sessions log to CloudWatch Logs, not to the audit store: that store accepts writes from
        # the AWS log services only, and instance roles are not log services.
        session_logs = aws.cloudwatch.LogGroup(
            f"{name}-session-logs",
            name=SESSION_LOG_GROUP,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child(self),
        )
        aws.ssm.Document(
            f"{name}-session-preferences",
            name=SESSION_DOCUMENT,
            document_type="Session",
            document_format="JSON",
            content=session_logs.name.apply(session_preferences),
            tags=tags,
            opts=child(self),
        )
