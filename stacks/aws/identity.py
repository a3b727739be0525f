"""Who may act during an incident: quarantine policy, break-glass role, responder role.

The responder role's permissions are generated from what the registered responder actions
declare (`responders.registry`), so adding an action cannot silently widen or miss a grant.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from prewire.core.vocabulary import Cloud
from responders.registry import Permission, Scope, release_permissions, required_permissions
from stacks.aws.base import child
from stacks.aws.documents import (
    AwsEnv,
    Document,
    deny_all,
    document,
    mfa_trust,
    role_assumption_pattern,
    to_json,
    topic_policy,
)
from stacks.aws.responder_policy import responder_policies, scope_conditions, scope_resources
from stacks.tags import component_tags

MAX_BREAK_GLASS_SESSION_SECONDS = 3600


def role_name(prefix: str, region: str, purpose: str) -> str:
    """IAM is global; the region keeps per-region stacks in one account from colliding."""
    return f"{prefix}-{purpose}-{region}"


def role_arn(env: AwsEnv, name: str) -> str:
    return f"arn:{env.partition}:iam::{env.account_id}:role/{name}"


@dataclass
class ResponderIdentitiesArgs:
    env: pulumi.Input[AwsEnv]
    responder_role_name: pulumi.Input[str]
    break_glass_role_name: pulumi.Input[str]
    break_glass_principals: Sequence[str]
    kms_key_arn: pulumi.Input[str]
    break_glass_policy_arns: Sequence[str] = ()
    responder_principals: Sequence[str] = ()
    alert_email: str | None = None


class ResponderIdentities(pulumi.ComponentResource):
    quarantine_policy: aws.iam.Policy
    break_glass_role: aws.iam.Role
    responder_role: aws.iam.Role
    alert_topic: aws.sns.Topic

    def __init__(
        self, name: str, args: ResponderIdentitiesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_IDENTITIES, name, None, opts)
        tags = component_tags(name)
        env = pulumi.Output.from_input(args.env)
        self.quarantine_policy = aws.iam.Policy(
            f"{name}-quarantine",
            description="prewire quarantine: denies every action to whoever it is attached to",
            policy=to_json(deny_all()),
            tags=tags,
            opts=child(self),
        )
        self.alert_topic = aws.sns.Topic(
            f"{name}-alerts",
            kms_master_key_id=args.kms_key_arn,
            tags=tags,
            opts=child(self),
        )
        aws.sns.TopicPolicy(
            f"{name}-alerts",
            arn=self.alert_topic.arn,
            policy=pulumi.Output.all(self.alert_topic.arn, env).apply(
                lambda v: to_json(topic_policy(v[0], v[1].account_id))
            ),
            opts=child(self),
        )
        if args.alert_email:
            aws.sns.TopicSubscription(
                f"{name}-alerts-email",
                topic=self.alert_topic.arn,
                protocol="email",
                endpoint=args.alert_email,
                opts=child(self),
            )
        self.break_glass_role = self._break_glass(name, args, tags)
        self.responder_role = aws.iam.Role(
            f"{name}-responder",
            name=args.responder_role_name,
            description="prewire responder: exactly the permissions the responder actions declare",
            assume_role_policy=to_json(
                document(
                    [
                        {
                            "Sid": "ResponderFunction",
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        },
                        *(
                            [mfa_trust(args.responder_principals)]
                            if args.responder_principals
                            else []
                        ),
                    ]
                )
            ),
            max_session_duration=MAX_BREAK_GLASS_SESSION_SECONDS * 4,
            tags=tags,
            opts=child(self),
        )
        self.register_outputs(
            {
                "quarantinePolicyArn": self.quarantine_policy.arn,
                "breakGlassRoleArn": self.break_glass_role.arn,
                "responderRoleArn": self.responder_role.arn,
                "alertTopicArn": self.alert_topic.arn,
            }
        )

    def _break_glass(
        self,
        name: str,
        args: ResponderIdentitiesArgs,
        tags: dict[str, str],
    ) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{name}-break-glass",
            name=args.break_glass_role_name,
            description="prewire break-glass: MFA only, one-hour sessions, every use alerted",
            assume_role_policy=to_json(document([mfa_trust(args.break_glass_principals)])),
            max_session_duration=MAX_BREAK_GLASS_SESSION_SECONDS,
            tags=tags,
            opts=child(self),
        )
        for index, policy_arn in enumerate(args.break_glass_policy_arns):
            aws.iam.RolePolicyAttachment(
                f"{name}-break-glass-{index}",
                role=role.name,
                policy_arn=policy_arn,
                opts=child(self),
            )
        rule = aws.cloudwatch.EventRule(
            f"{name}-break-glass-used",
            description="prewire: the break-glass role was assumed",
            event_pattern=role.arn.apply(lambda arn: to_json(role_assumption_pattern(arn))),
            tags=tags,
            opts=child(self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-break-glass-used",
            rule=rule.name,
            arn=self.alert_topic.arn,
            opts=child(self),
        )
        return role

    def grant_responder(
        self,
        name: str,
        env: pulumi.Input[AwsEnv],
        *,
        evidence_bucket_arn: pulumi.Input[str],
        audit_bucket_arn: pulumi.Input[str],
        key_arn: pulumi.Input[str],
        memory_tool_object: str | None,
    ) -> list[aws.iam.Policy]:
        """Attach the generated least-privilege policies: containment to the responder and
        break-glass roles, release to break-glass only.

        Called once the stores exist, because the policies name them.
        """
        responder = ("responder", self.responder_role)
        break_glass = ("break-glass", self.break_glass_role)
        grants = (
            (
                "responder",
                required_permissions(Cloud.AWS, releases=False),
                (responder, break_glass),
            ),
            # Undoing a containment is a break-glass decision: MFA, one hour, every use alerted.
            ("release", release_permissions(Cloud.AWS), (break_glass,)),
        )
        values = pulumi.Output.all(
            env, evidence_bucket_arn, audit_bucket_arn, key_arn, self.quarantine_policy.arn
        )
        policies = []
        for kind, permissions, roles in grants:
            documents = values.apply(
                functools.partial(_generated_policies, permissions, memory_tool_object)
            )
            # Resources must be declared before outputs resolve, so the number of documents is
            # computed with the longest ARNs the real values could have.
            longest_policy = "arn:aws-iso-b:iam::000000000000:policy/" + "x" * 128
            count = len(
                responder_policies(
                    permissions,
                    _longest_resources(memory_tool_object),
                    scope_conditions(longest_policy),
                )
            )
            for index in range(count):
                policy = aws.iam.Policy(
                    f"{name}-{kind}-{index}",
                    description=f"prewire {kind} permissions ({index + 1}/{count}), generated",
                    policy=documents.apply(functools.partial(_nth_json, index=index)),
                    tags=component_tags(name),
                    opts=child(self),
                )
                for role_key, role in roles:
                    # The responder grants keep their first names, so an upgrade keeps them.
                    suffix = f"{index}" if kind == "responder" else f"{kind}-{index}"
                    aws.iam.RolePolicyAttachment(
                        f"{name}-{role_key}-{suffix}-attach",
                        role=role.name,
                        policy_arn=policy.arn,
                        opts=child(self),
                    )
                policies.append(policy)
        return policies


def _generated_policies(
    permissions: tuple[Permission, ...], memory_tool_object: str | None, values: list[Any]
) -> list[Document]:
    env, evidence_bucket_arn, audit_bucket_arn, key_arn, quarantine_policy_arn = values
    return responder_policies(
        permissions,
        scope_resources(
            env,
            evidence_bucket_arn=evidence_bucket_arn,
            audit_bucket_arn=audit_bucket_arn,
            key_arn=key_arn,
            memory_tool_object=memory_tool_object,
        ),
        scope_conditions(quarantine_policy_arn),
    )


def _nth_json(documents: list[Document], index: int) -> str:
    return to_json(documents[index])


def _longest_resources(memory_tool_object: str | None) -> dict[Scope, list[str]]:
    longest = AwsEnv(account_id="0" * 12, region="ap-southeast-5x", partition="aws-iso-b")
    bucket = f"arn:{longest.partition}:s3:::" + "x" * 63
    return scope_resources(
        longest,
        evidence_bucket_arn=bucket,
        audit_bucket_arn=bucket,
        key_arn=longest.arn("kms", "key/" + "x" * 36),
        memory_tool_object=memory_tool_object,
    )
