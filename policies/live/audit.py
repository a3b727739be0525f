"""`prewire audit aws|azure|gcp`: live checks over accounts and regions (in parallel), over an
Azure subscription or over a GCP project.

AWS: regional checks run in every region; account-wide checks (IAM, S3) once per account. With
an organization role, every account of the AWS Organization is audited through that role.
Azure and GCP: every check runs once over the subscription or project, read back as a graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import botocore.exceptions

from policies.catalogue import get
from policies.findings import Finding, Status
from policies.live.engine import LiveContext, load_live_checks, run_check, specs_of
from policies.static.engine import DEFAULT_RETENTION_DAYS
from prewire.core.vocabulary import Cloud
from responders.aws.discovery import discover
from responders.aws.session import AwsClients, error_code

if TYPE_CHECKING:  # each cloud's SDK is loaded only when that cloud is audited
    from responders.azure.session import AzureClients
    from responders.gcp.session import GcpClients

MAX_PARALLEL_REGIONS = 8
MAX_PARALLEL_ACCOUNTS = 8


@dataclass
class AccountResult:
    account: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def all_regions(clients: AwsClients) -> list[str]:
    regions = clients.ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(r["RegionName"] for r in regions)


def audit_account(clients: AwsClients, regions: Sequence[str]) -> AccountResult:
    load_live_checks(Cloud.AWS)
    account = str(clients.sts.get_caller_identity()["Account"])
    result = AccountResult(account)

    def region_findings(region: str) -> list[Finding]:
        regional = clients.for_region(region)
        prewired = discover(regional)
        context = LiveContext(
            clients=regional,
            account=account,
            region=region,
            prewired=prewired,
            retention_days=prewired.retention_days or DEFAULT_RETENTION_DAYS,
        )
        specs = [s for s in specs_of(Cloud.AWS) if not s.account_wide or region == regions[0]]
        return [f for spec in specs for f in run_check(spec, context)]

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_REGIONS, len(regions))) as pool:
        for findings in pool.map(region_findings, regions):
            result.findings.extend(findings)
    result.findings.sort(
        key=lambda f: (f.control.id, f.location.get("region", ""), f.resource or "")
    )
    return result


def audit_subscription(clients: AzureClients) -> AccountResult:
    """Every Azure control's live check over one subscription."""
    from policies.live.azure.checks import AzureLiveContext
    from responders.azure.discovery import discover as discover_azure

    prewired = discover_azure(clients)
    context = AzureLiveContext(
        clients=clients,
        prewired=prewired,
        retention_days=prewired.retention_days or DEFAULT_RETENTION_DAYS,
    )
    result = AccountResult(clients.subscription_id)
    for spec in specs_of(Cloud.AZURE):
        result.findings.extend(run_check(spec, context))
    result.findings.sort(key=lambda f: (f.control.id, f.resource or ""))
    return result


def audit_project(
    clients: GcpClients,
    organization: str | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> AccountResult:
    """Every GCP control's live check over one project (and its organization's notification
    configs, with an organization id), against the retention the stack was configured with; an
    unknown project is refused before any check."""
    from policies.live.gcp.checks import GcpLiveContext, check_project
    from responders.gcp.discovery import discover as discover_gcp

    context = GcpLiveContext(
        clients=clients,
        prewired=discover_gcp(clients),
        organization=organization,
        retention_days=retention_days,
    )
    check_project(context)
    result = AccountResult(clients.project)
    for spec in specs_of(Cloud.GCP):
        result.findings.extend(run_check(spec, context))
    result.findings.sort(key=lambda f: (f.control.id, f.resource or ""))
    return result


def organization_accounts(clients: AwsClients) -> list[str]:
    organizations = clients.client("organizations")
    return sorted(
        a["Id"]
        for page in organizations.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a.get("Status") == "ACTIVE"
    )


def audit_organization(
    clients: AwsClients, role_name: str, regions: Sequence[str]
) -> list[AccountResult]:
    accounts = organization_accounts(clients)
    partition = clients.sts.get_caller_identity()["Arn"].split(":")[1]

    def one(account: str) -> AccountResult:
        try:
            member = clients.assume(
                f"arn:{partition}:iam::{account}:role/{role_name}", "prewire-audit"
            )
        except botocore.exceptions.ClientError as error:
            return AccountResult(account, error=f"cannot assume {role_name}: {error_code(error)}")
        return audit_account(member, regions)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_ACCOUNTS, len(accounts) or 1)) as pool:
        return list(pool.map(one, accounts))


def not_ready(
    findings: Sequence[Finding], control_ids: Sequence[str] | None = None
) -> list[Finding]:
    """Failed findings (optionally only of some controls): what makes an account not ready."""
    return [
        f
        for f in findings
        if f.status is Status.FAILED and (control_ids is None or f.control.id in control_ids)
    ]


def control_title(control_id: str) -> str:
    return get(control_id).title
