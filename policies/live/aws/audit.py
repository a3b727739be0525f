"""`prewire audit aws`: live checks over accounts and regions, in parallel.

Regional checks run in every region; account-wide checks (IAM, S3) once per account. With an
organization role, every account of the AWS Organization is audited through that role.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import botocore.exceptions

from policies.findings import Finding
from policies.live.audit import AccountResult
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import load_live_checks, run_check, specs_of
from policies.static.engine import DEFAULT_RETENTION_DAYS
from prewire.core.vocabulary import Cloud
from responders.aws.discovery import discover
from responders.aws.session import AwsClients, error_code

MAX_PARALLEL_REGIONS = 8
MAX_PARALLEL_ACCOUNTS = 8


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
        context = AwsLiveContext(
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
