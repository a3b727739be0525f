"""Every IAM document the AWS stack generates, run through parliament (Duo Labs' IAM linter,
from PyPI): identity policies (responder, quarantine, the services' roles) and resource
policies (key, buckets, topics, queues). A finding fails the test unless the allow-list below
names it with the reason. Trust policies are not linted: parliament reads them as identity
policies without a Resource (its MALFORMED finding); tests/stacks/test_aws_program.py checks
them.

The list is a ratchet: a new finding fails, and an entry whose finding no longer occurs fails.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from prewire.core import tokens as t
from prewire.render import Graph
from tests.stacks.conftest import generated_policies

with warnings.catch_warnings():  # parliament 1.6 imports pkg_resources (setuptools < 81)
    warnings.simplefilter("ignore", UserWarning)
    from parliament import analyze_policy_string

LINTED = {
    t.IAM_POLICY: "policy",
    t.IAM_ROLE_POLICY: "policy",
    t.KMS_KEY: "policy",
    t.S3_POLICY: "policy",
    t.SNS_TOPIC_POLICY: "policy",
    t.SQS_QUEUE_POLICY: "policy",
}
KEY_STAR = 'In a key policy `Resource: "*"` means this key: the only form KMS accepts.'
LOGS_CONTEXT = (
    "CloudWatch Logs' documented key statement: Describe* and the encryption-context ArnLike "
    "guard together, as its user guide gives it."
)
ALLOWED: dict[tuple[str, str], str] = {
    ("prewire-forensic-key", "RESOURCE_STAR"): KEY_STAR,
    ("prewire-forensic-key", "PERMISSIONS_MANAGEMENT_ACTIONS"): (
        "The account administers the key through IAM (kms:* for the account root), as KMS's "
        "default key policy does."
    ),
    ("prewire-forensic-key", "UNKNOWN_CONDITION_FOR_ACTION"): LOGS_CONTEXT,
    ("prewire-forensic-key", "MISMATCHED_TYPE"): LOGS_CONTEXT,
    ("prewire-identities-responder-0", "RESOURCE_STAR"): (
        "The Describe*/List* reads and sts:GetCallerIdentity, which IAM accepts only on `*`, and "
        "lambda:GetLayerVersion (STILL_UNSCOPED below)."
    ),
    ("prewire-identities-responder-0", "RESOURCE_MISMATCH"): (
        "ec2:CreateSnapshots is granted in two statements: the instance and its volumes in one, "
        "the new snapshots with the case tag (aws:RequestTag) in another. IAM authorizes each "
        "resource of a request against the statements on its own, and the request tags are a "
        "condition on the snapshot alone; parliament wants every resource type in one statement."
    ),
    ("prewire-identities-release-0", "PERMISSIONS_MANAGEMENT_ACTIONS"): (
        "release-identity detaches the quarantine deny-all (iam:PolicyARN = that policy) and "
        "deletes prewire's inline denies: granted to the break-glass role only."
    ),
    ("prewire-identities-responder-0", "PERMISSIONS_MANAGEMENT_ACTIONS"): (
        "quarantine-identity attaches the deny-all and writes inline denies, release-identity "
        "undoes them: attach/detach only with iam:PolicyARN = the quarantine policy (parliament "
        "does not read conditions; test_aws_program checks it), inline writes on the account's "
        "roles and users, the narrowest IAM accepts."
    ),
    ("prewire-identities-responder-0", "PRIVILEGE_ESCALATION"): (
        "AttachUserPolicy is bound to the quarantine policy by iam:PolicyARN (not read by "
        "parliament). PutUserPolicy: IAM has no condition on an inline policy's content, so the "
        "account's users are the narrowest resource; the quarantine's inline denies need it."
    ),
    ("prewire-identities-responder-0", "CREDENTIALS_EXPOSURE"): (
        "iam:UpdateAccessKey deactivates (and on release re-activates) a quarantined user's keys; "
        "it never reveals a secret."
    ),
}


def _findings(graph: Graph) -> dict[tuple[str, str], list[Any]]:
    found: dict[tuple[str, str], list[Any]] = {}
    for token, field in LINTED.items():
        for resource in graph.of_type(token):
            document = resource.get(field)
            if not document:
                continue
            text = document if isinstance(document, str) else json.dumps(document)
            for finding in analyze_policy_string(text, include_community_auditors=True).findings:
                found.setdefault((resource.name, finding.issue), []).append(finding.detail)
    return found


def test_every_generated_document_passes_parliament_or_is_allowed_with_a_reason(
    example_graph: Graph,
) -> None:
    found = _findings(example_graph)
    assert {k: v for k, v in found.items() if k not in ALLOWED} == {}


def test_the_allow_list_names_only_findings_that_still_occur(example_graph: Graph) -> None:
    assert sorted(set(ALLOWED) - set(_findings(example_graph))) == []


def test_parliament_sees_what_it_is_asked_to_see() -> None:
    """The linter is live, not a no-op: a wildcard grant is a finding."""
    wildcard = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    issues = {f.issue for f in analyze_policy_string(json.dumps(wildcard)).findings}
    assert "RESOURCE_STAR" in issues


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_the_responder_scope_judgement_sees_each_way_a_role_exceeds_a_responder() -> None:
    from policies.static.aws.identity import responder_scope_problems

    quarantine = {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::123456789012:policy/q"}}
    prewire_doc = "arn:aws:ssm:eu-west-1:123456789012:document/prewire-CaptureMemory"
    fine = _policy(
        {
            "Effect": "Allow",
            "Action": ["iam:AttachRolePolicy"],
            "Resource": ["arn:aws:iam::123456789012:role/*"],
            "Condition": quarantine,
        },
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": [prewire_doc]},
    )
    assert responder_scope_problems([fine]) == []
    any_policy = _policy({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"})
    shell = _policy(
        {
            "Effect": "Allow",
            "Action": "ssm:SendCommand",
            "Resource": ["arn:aws:ssm:eu-west-1::document/AWS-RunShellScript"],
        }
    )
    anywhere = _policy({"Effect": "Allow", "Action": "ssm:*", "Resource": "*"})
    assert "iam:AttachUserPolicy without an iam:PolicyARN condition" in responder_scope_problems(
        [any_policy]
    )
    assert "AWS-RunShellScript" in " ".join(responder_scope_problems([shell]))
    assert [p.split(":")[0] for p in responder_scope_problems([anywhere])] == [
        "wildcard permissions",
        "ssm",
        "3 action(s) prewire scopes granted on every resource (`*`)",
    ]
    snapshots_anywhere = _policy(
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateSnapshots", "ec2:DescribeInstances"],
            "Resource": "*",
        }
    )
    [unscoped] = responder_scope_problems([snapshots_anywhere])
    assert unscoped.endswith("on every resource (`*`): ec2:CreateSnapshots")


# Actions the responder role still grants on `Resource: "*"` although IAM could scope them.
STILL_UNSCOPED = {
    "lambda:GetLayerVersion": "A function's layers may belong to any account (public layers).",
}


def _supports_resource_scoping(action: str) -> bool:
    """From parliament's copy of the IAM service reference: a resource type other than ''."""
    from parliament import iam_definition

    service, name = action.split(":")
    for entry in iam_definition:
        if entry["prefix"] == service:
            for privilege in entry["privileges"]:
                if privilege["privilege"].lower() == name.lower():
                    return any(r["resource_type"] for r in privilege["resource_types"])
    raise AssertionError(f"{action} is not in the IAM service reference")


def test_no_responder_action_is_on_a_wildcard_resource_iam_could_scope(
    example_graph: Graph,
) -> None:
    policies = generated_policies(example_graph)
    on_star = {
        action
        for p in policies
        for s in json.loads(p.get("policy"))["Statement"]
        if "*" in s["Resource"]
        for action in s["Action"]
    }
    assert on_star  # the Describe*/List* reads IAM accepts only on `*`
    assert {a for a in on_star if _supports_resource_scoping(a)} == set(STILL_UNSCOPED)
