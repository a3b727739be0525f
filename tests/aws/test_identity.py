"""quarantine-identity and release-identity against the embedded AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.drill.aws.environment import PreparedAccount
from responders.aws import parameters
from responders.aws.iam_quarantine import INSTANCE_DENY_PREFIX, REVOKE_POLICY
from responders.runtime import InputError, Status
from tests.aws.conftest import act, open_test_case


def attached(account: PreparedAccount, role: str) -> set[str]:
    policies = account.clients.iam.list_attached_role_policies(RoleName=role)
    return {p["PolicyArn"] for p in policies["AttachedPolicies"]}


def key_status(account: PreparedAccount) -> dict[str, str]:
    keys = account.clients.iam.list_access_keys(UserName=account.victim.user_name)
    return {k["AccessKeyId"]: k["Status"] for k in keys["AccessKeyMetadata"]}


def test_instance_role_is_quarantined_with_deny_all_and_session_revocation(
    account: PreparedAccount,
) -> None:
    quarantine = account.parameter(parameters.QUARANTINE_POLICY_ARN)
    case = open_test_case(account)
    [outcome] = act(case, "quarantine-identity", account.victim.instance_id)
    assert outcome.status is Status.CHANGED, outcome.message
    role = account.victim.role_name
    assert quarantine in attached(account, role)
    inline = set(account.clients.iam.list_role_policies(RoleName=role)["PolicyNames"])
    assert REVOKE_POLICY in inline
    assert INSTANCE_DENY_PREFIX + account.victim.instance_id in inline
    revoke = account.clients.iam.get_role_policy(RoleName=role, PolicyName=REVOKE_POLICY)
    document: Any = revoke["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    [statement] = document["Statement"]
    assert (
        statement["Effect"] == "Deny"
        and "aws:TokenIssueTime" in statement["Condition"]["DateLessThan"]
    )


def test_user_keys_are_deactivated_and_restored_on_release(account: PreparedAccount) -> None:
    target = f"user/{account.victim.user_name}"
    case = open_test_case(account)
    [outcome] = act(case, "quarantine-identity", target)
    assert outcome.status is Status.CHANGED
    assert set(key_status(account).values()) == {"Inactive"}
    assert sorted(outcome.state["deactivated_keys"]) == sorted(account.victim.access_key_ids)
    [again] = act(case, "quarantine-identity", target)
    assert again.status is Status.UNCHANGED
    with pytest.raises(InputError, match="--yes"):
        act(case, "release-identity", target)
    [released] = act(open_test_case(account, confirm_release=True), "release-identity", target)
    assert released.status is Status.CHANGED
    assert set(key_status(account).values()) == {"Active"}
    quarantine = account.parameter(parameters.QUARANTINE_POLICY_ARN)
    users = account.clients.iam.list_attached_user_policies(UserName=account.victim.user_name)
    assert quarantine not in {p["PolicyArn"] for p in users["AttachedPolicies"]}
    # The deny-all came off; the revocation of sessions issued before the quarantine stays.
    inline = account.clients.iam.list_user_policies(UserName=account.victim.user_name)
    assert REVOKE_POLICY in inline["PolicyNames"]
    assert REVOKE_POLICY in released.message


def test_shared_role_gets_only_the_instance_scoped_deny(account: PreparedAccount) -> None:
    ec2 = account.clients.ec2
    ec2.run_instances(
        ImageId="ami-0a1b2c3d4e5f60718",
        MinCount=1,
        MaxCount=1,
        SubnetId=account.network.subnet_ids[0],
        IamInstanceProfile={"Arn": account.victim.profile_arn},
    )
    [outcome] = act(open_test_case(account), "quarantine-identity", account.victim.instance_id)
    assert outcome.status is Status.CHANGED
    role = account.victim.role_name
    assert account.parameter(parameters.QUARANTINE_POLICY_ARN) not in attached(account, role)
    inline = account.clients.iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert inline == [INSTANCE_DENY_PREFIX + account.victim.instance_id]
    assert any("shared by 1 other instance" in w for w in outcome.warnings)


def test_malformed_identity_is_bad_input(account: PreparedAccount) -> None:
    with pytest.raises(InputError, match="not an identity"):
        act(open_test_case(account), "quarantine-identity", "bob")
