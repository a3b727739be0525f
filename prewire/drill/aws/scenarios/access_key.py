"""access-key-leak: a CI user's access keys are used from an attacker's address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.attack_logs import AttackEvent, write_trail_objects
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.scenarios.common import AwsRun
from prewire.drill.scenarios import COMMON, Expectation, Scenario, register
from responders.aws import parameters


def _keys_inactive(run: AwsRun) -> str | None:
    keys = run.account.clients.iam.list_access_keys(UserName=run.account.victim.user_name)
    active = [k["AccessKeyId"] for k in keys["AccessKeyMetadata"] if k["Status"] == "Active"]
    return f"keys still active: {', '.join(active)}" if active else None


def _user_quarantined(run: AwsRun) -> str | None:
    policy = run.account.parameter(parameters.QUARANTINE_POLICY_ARN)
    attached = run.account.clients.iam.list_attached_user_policies(
        UserName=run.account.victim.user_name
    )["AttachedPolicies"]
    return (
        None if policy in {p["PolicyArn"] for p in attached} else "quarantine policy not attached"
    )


def _logs_collected(run: AwsRun) -> str | None:
    [outcome] = run.outcomes("collect-logs") or [{"status": "missing", "message": "not run"}]
    if outcome["status"] != "collected" or not outcome["artifacts"]:
        return f"log bundle not collected: {outcome['message']}"
    return None


def _key_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    return findings.finding(
        "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
        7.5,
        findings.access_key_resource(account.victim.user_name, account.victim.access_key_ids[0]),
        account.clients.region,
        when,
        account.account_id,
    )


def _key_attack(account: PreparedAccount, start: datetime) -> None:
    user_arn = f"arn:aws:iam::{account.account_id}:user/{account.victim.user_name}"
    events = [
        AttackEvent(name, source, user_arn, account.victim.user_name)
        for name, source in (
            ("ListBuckets", "s3.amazonaws.com"),
            ("GetSecretValue", "secretsmanager.amazonaws.com"),
            ("CreateAccessKey", "iam.amazonaws.com"),
        )
    ]
    write_trail_objects(account.clients, account.audit_bucket, account.account_id, events, start)


register(
    Scenario(
        cloud=Cloud.AWS,
        name="access-key-leak",
        summary="A CI user's access keys are used from an attacker's address",
        auto_contain=True,
        response="playbook contain-credentials",
        finding=_key_finding,
        prepare=_key_attack,
        expectations=(
            Expectation(
                "every access key of the user inactive",
                _keys_inactive,
                "Grant the responder iam:UpdateAccessKey; rotate keys after the case.",
            ),
            Expectation(
                "user quarantined with the deny-all policy",
                _user_quarantined,
                "Check the quarantine policy exists (/prewire/aws/quarantine-policy-arn).",
            ),
            Expectation(
                "user's CloudTrail activity collected",
                _logs_collected,
                "Keep the trail's log objects in the audit store for the investigation window.",
            ),
            *COMMON,
        ),
    )
)
