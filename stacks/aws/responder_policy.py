"""The responder role's policies, generated from what the actions declare: each permission's
scope becomes resources (and, where IAM needs one, a condition), and the statements are packed
into managed policies under IAM's size limit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from prewire.core.vocabulary import ROLE_TAG
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.aws.memory_documents import DOCUMENTS as MEMORY_DOCUMENTS
from responders.registry import Permission, Scope
from stacks.aws.documents import AwsEnv, Document, Statement, document, to_json
from stacks.aws.isolation import CONVERSION_ROLE, ISOLATION_ROLE

# IAM refuses managed policies over 6,144 characters (whitespace excluded).
MANAGED_POLICY_LIMIT = 6144


def scope_resources(
    env: AwsEnv,
    *,
    evidence_bucket_arn: str,
    audit_bucket_arn: str,
    key_arn: str,
    memory_tool_object: str | None,
) -> dict[Scope, list[str]]:
    """Concrete resources for each permission scope a responder action may declare.

    `memory_tool_object` is `bucket/key` of the staged memory tool, if one is configured.
    """
    snapshots = f"arn:{env.partition}:ec2:*::snapshot/*"
    return {
        Scope.ANY: ["*"],
        Scope.EVIDENCE_BUCKET: [evidence_bucket_arn],
        Scope.EVIDENCE_OBJECTS: [
            f"{evidence_bucket_arn}/cases/*",
            f"{evidence_bucket_arn}/drills/*",
        ],
        Scope.AUDIT_BUCKET: [audit_bucket_arn],
        Scope.AUDIT_OBJECTS: [f"{audit_bucket_arn}/*"],
        Scope.FORENSIC_KEY: [key_arn],
        Scope.DISCOVERY_PARAMETERS: [env.arn("ssm", "parameter/prewire/*")],
        Scope.MEMORY_DOCUMENTS: [
            *(env.arn("ssm", f"document/{document.name}") for document in MEMORY_DOCUMENTS),
            env.arn("ec2", "instance/*"),
        ],
        Scope.ACCOUNT_RESOURCES: [
            *(env.arn(service, "*") for service in ACCOUNT_SCOPED_SERVICES),
            # IAM refuses a bare `*` path: the one IAM read here is of instance profiles.
            f"arn:{env.partition}:iam::{env.account_id}:instance-profile/*",
        ],
        Scope.INSTANCE_INTERFACES: [
            env.arn("ec2", "network-interface/*"),
            env.arn("ec2", "instance/*"),
        ],
        Scope.ISOLATION_GROUPS: [env.arn("ec2", "security-group/*")],
        Scope.PREWIRE_INSTANCE_TAGS: [env.arn("ec2", "instance/*")],
        # A snapshot's ARN names no account; the conditions below keep to the case's own.
        **{scope: [snapshots] for scope in SNAPSHOT_SCOPES},
        Scope.QUARANTINE_ATTACHMENT: _identities(env),
        Scope.ACCOUNT_IDENTITIES: _identities(env),
        # Without a configured location the memory tool is staged in the evidence store, whose
        # object lock keeps the pinned binary from being swapped.
        Scope.MEMORY_TOOL: [
            f"arn:{env.partition}:s3:::{memory_tool_object}"
            if memory_tool_object
            else f"{evidence_bucket_arn}/tools/*"
        ],
    }


SNAPSHOT_SCOPES = (
    Scope.SNAPSHOT_CREATION_TAGS,
    Scope.CASE_SNAPSHOT_CREATION,
    Scope.CASE_SNAPSHOTS,
    Scope.CASE_SNAPSHOT_SHARING,
)

# The services whose resources the responders act on, by resource ARN.
ACCOUNT_SCOPED_SERVICES = (
    "autoscaling",
    "ec2",
    "ecs",
    "eks",
    "elasticloadbalancing",
    "lambda",
    "logs",
    "ssm",
)


def _identities(env: AwsEnv) -> list[str]:
    return [
        f"arn:{env.partition}:iam::{env.account_id}:role/*",
        f"arn:{env.partition}:iam::{env.account_id}:user/*",
    ]


def scope_conditions(quarantine_policy_arn: str) -> dict[Scope, dict[str, Any]]:
    """Conditions that narrow a scope further than its resources can.

    IAM names the attached policy only in `iam:PolicyARN`: with it the responder may attach and
    detach the quarantine deny-all, and no other managed policy (AdministratorAccess included).
    EC2 evaluates each resource of a request on its own, so an interface change passes only if
    every security group it names is one of prewire's (by its role tag, which the responder
    cannot write: its tag grants are `prewire:*` keys on instances and tags on new snapshots).
    """
    case_tagged = f"aws:ResourceTag/{SNAPSHOT_TAG_CASE}"
    return {
        Scope.QUARANTINE_ATTACHMENT: {"ArnEquals": {"iam:PolicyARN": quarantine_policy_arn}},
        Scope.ISOLATION_GROUPS: {
            "StringEquals": {f"aws:ResourceTag/{ROLE_TAG}": [ISOLATION_ROLE, CONVERSION_ROLE]}
        },
        Scope.PREWIRE_INSTANCE_TAGS: {"ForAllValues:StringLike": {"aws:TagKeys": ["prewire:*"]}},
        Scope.SNAPSHOT_CREATION_TAGS: {
            "StringEquals": {"ec2:CreateAction": ["CreateSnapshots", "CopySnapshot"]}
        },
        Scope.CASE_SNAPSHOT_CREATION: {"Null": {f"aws:RequestTag/{SNAPSHOT_TAG_CASE}": "false"}},
        Scope.CASE_SNAPSHOTS: {"Null": {case_tagged: "false"}},
        # `ec2:Add/group` is only ever `all`: sharing with everyone, which is never allowed.
        Scope.CASE_SNAPSHOT_SHARING: {"Null": {case_tagged: "false", "ec2:Add/group": "true"}},
    }


def responder_policies(
    permissions: Iterable[Permission],
    resources: Mapping[Scope, list[str]],
    conditions: Mapping[Scope, dict[str, Any]] | None = None,
) -> list[Document]:
    """Least-privilege documents granting exactly `permissions`, split to fit IAM's size limit."""
    by_scope: dict[Scope, set[str]] = defaultdict(set)
    for permission in permissions:
        by_scope[permission.scope].add(permission.action)
    conditions = conditions or {}
    statements = [
        {
            "Sid": "".join(part.capitalize() for part in scope.value.split("-")),
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": resources[scope],
            **({"Condition": conditions[scope]} if scope in conditions else {}),
        }
        for scope, actions in sorted(by_scope.items())
    ]
    return _pack(statements)


def _pack(statements: list[Statement]) -> list[Document]:
    """Split statements (and, if needed, their action lists) into documents under the limit."""
    documents: list[list[Statement]] = [[]]
    for statement in statements:
        for part in _split_statement(statement):
            if len(to_json(document([*documents[-1], part]))) > MANAGED_POLICY_LIMIT:
                documents.append([])
            documents[-1].append(part)
    return [document(group) for group in documents if group]


def _split_statement(statement: Statement) -> list[Statement]:
    if len(to_json(document([statement]))) <= MANAGED_POLICY_LIMIT:
        return [statement]
    actions = statement["Action"]
    half = len(actions) // 2
    first = {**statement, "Sid": f"{statement['Sid']}A", "Action": actions[:half]}
    second = {**statement, "Sid": f"{statement['Sid']}B", "Action": actions[half:]}
    return _split_statement(first) + _split_statement(second)
