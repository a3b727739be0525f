"""Quarantine and release the service accounts of a GCE instance.

GCP refuses to change a running instance's service account (the instance must be stopped), and
a responder never stops one. Instead each service account attached to the instance is disabled,
with every user-managed key of it: a disabled account cannot authenticate, so the instance's
metadata server mints no new token for it and stolen keys stop working. Tokens issued before may
be honoured until they expire (at most an hour). A service account is often shared: every
workload using it loses access too (the step warns). What was enabled before is recorded, and
only that is re-enabled by release. The IAM admin client library offers gRPC only, so these calls
go to the IAM REST API through google-auth's authorized session (same endpoint, same recording).
"""

from __future__ import annotations

from typing import Any

from prewire.core.vocabulary import Cloud
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.permissions import PERMISSIONS
from responders.gcp.session import RestError
from responders.gcp.targets import describe
from responders.registry import action, perms
from responders.runtime import ActionFailed, InputError, PlannedCall, Status, Step

ACCOUNTS = "/v1/projects/-/serviceAccounts"
DEFAULT_COMPUTE_SUFFIX = "-compute@developer.gserviceaccount.com"


def _call(case: GcpCase, method: str, path: str) -> dict[str, Any]:
    try:
        return case.clients.call("iam", method, path)
    except RestError as error:
        if error.status == 404:
            raise InputError(f"not found: {path.removeprefix(ACCOUNTS + '/')}") from error
        raise ActionFailed(f"IAM {method} {path}: {error.status} {error.text}") from error


def _change(case: GcpCase, path: str, step: Step) -> None:
    """A `:disable` / `:enable` call, or under dry-run only its plan."""
    resource, _, verb = path.rpartition(":")
    if step.dry_run:
        step.planned.append(PlannedCall("iam", verb, {"name": resource.removeprefix("/v1/")}))
        return
    _call(case, "POST", path)


def _key_path(name: str, verb: str) -> str:
    """A key's name (projects/<p>/serviceAccounts/<email>/keys/<id>) as an IAM call path."""
    return f"{ACCOUNTS}/{name.split('/serviceAccounts/', 1)[1]}:{verb}"


def _accounts(instance: dict[str, Any]) -> list[str]:
    return [str(a["email"]) for a in instance.get("serviceAccounts") or [] if a.get("email")]


def _user_keys(case: GcpCase, email: str) -> list[dict[str, Any]]:
    listed = _call(case, "GET", f"{ACCOUNTS}/{email}/keys?keyTypes=USER_MANAGED")
    return list(listed.get("keys") or [])


@action(
    Cloud.GCP,
    "quarantine-identity",
    summary="Disable the instance's service accounts and their user-managed keys (recorded)",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["quarantine-identity"]),
    destructive=True,
)
def quarantine_identity(case: GcpCase, target: str, step: Step) -> Status:
    instance = describe(case, ids.instance(target))
    emails = _accounts(instance)
    if not emails:
        step.note("the instance runs without a service account")
        return Status.UNCHANGED
    disabled_accounts: list[str] = step.state.setdefault("disabled_accounts", [])
    disabled_keys: list[str] = step.state.setdefault("disabled_keys", [])
    for email in emails:
        step.warn(f"{email} may be shared: every workload using it loses access too")
        if email.endswith(DEFAULT_COMPUTE_SUFFIX):
            step.warn(f"{email} is the project's default compute account")
        account = _call(case, "GET", f"{ACCOUNTS}/{email}")
        if not account.get("disabled"):
            disabled_accounts.append(email)  # recorded before the change
            _change(case, f"{ACCOUNTS}/{email}:disable", step)
        for key in _user_keys(case, email):
            if not key.get("disabled"):
                disabled_keys.append(str(key["name"]))
                _change(case, _key_path(str(key["name"]), "disable"), step)
    if not disabled_accounts and not disabled_keys:
        step.state.clear()
        step.note("already quarantined")
        return Status.UNCHANGED
    step.state["contained"] = True
    step.note(f"disabled {len(disabled_accounts)} service account(s), {len(disabled_keys)} key(s)")
    return Status.CHANGED


@action(
    Cloud.GCP,
    "release-identity",
    summary="Re-enable the service accounts and keys this case disabled",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["release-identity"]),
    destructive=True,
    releases=True,  # break glass only
)
def release_identity(case: GcpCase, target: str, step: Step) -> Status:
    accounts: list[str] = []
    keys: list[str] = []
    for entry in case.release_history("release-identity", target, "quarantine-identity"):
        accounts += [a for a in entry.state.get("disabled_accounts", []) if a not in accounts]
        keys += [k for k in entry.state.get("disabled_keys", []) if k not in keys]
    if not accounts and not keys:
        raise InputError(f"case {case.case_id} has no recorded quarantine of {target}")
    changed = 0
    for email in accounts:
        if _call(case, "GET", f"{ACCOUNTS}/{email}").get("disabled"):
            _change(case, f"{ACCOUNTS}/{email}:enable", step)
            changed += 1
    for key in keys:
        email = key.split("/serviceAccounts/", 1)[1].split("/", 1)[0]
        current = {k["name"]: k for k in _user_keys(case, email)}
        if current.get(key, {}).get("disabled"):
            _change(case, _key_path(key, "enable"), step)
            changed += 1
    if not changed:
        step.note("already released")
        return Status.UNCHANGED
    step.note(f"re-enabled {changed} service account(s) and key(s) this case had disabled")
    return Status.CHANGED
