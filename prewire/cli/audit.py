"""`prewire audit aws|azure|gcp`: live readiness of deployed accounts, subscriptions and
projects."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policies.static.engine import DEFAULT_RETENTION_DAYS
from prewire.cli.common import (
    EXIT_FAILED,
    AzureSubscription,
    EndpointUrl,
    GcpProject,
    Output,
    Profile,
    errors,
    fail,
    given_project,
    given_subscription,
    input_errors,
    resolve_region,
    write_or_print,
)
from prewire.cli.extras import needs
from prewire.cli.findings_view import FindingFormat, show
from prewire.core.vocabulary import Cloud, Severity

if TYPE_CHECKING:
    from policies.findings import Finding

app = typer.Typer(
    help="Audit the forensic readiness of deployed accounts, subscriptions and projects."
)


class AuditFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    HTML = "html"


Formats = Annotated[AuditFormat, typer.Option("--format")]
FailOn = Annotated[Severity, typer.Option("--fail-on")]


@app.command("aws")
@input_errors
@needs("aws")
def audit_aws(
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Region to audit (repeatable).")
    ] = None,
    all_regions: Annotated[
        bool, typer.Option("--all-regions", help="Every enabled region.")
    ] = False,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    org_role: Annotated[
        str | None,
        typer.Option(
            "--org-role", help="Audit every account of the organization through this role."
        ),
    ] = None,
    output_format: Formats = AuditFormat.TABLE,
    output: Output = None,
    fail_on: FailOn = Severity.HIGH,
) -> None:
    """Live checks of every AWS control that the APIs can show, and the responder pre-flight."""
    import botocore.exceptions

    from policies.findings import breaches
    from policies.live.aws.audit import all_regions as enabled_regions
    from policies.live.aws.audit import audit_account, audit_organization
    from responders.aws.opening import caller
    from responders.aws.session import AwsClients

    home = resolve_region(region[0] if region else None, profile)
    clients = AwsClients(region=home, profile=profile, endpoint_url=endpoint_url)
    caller(clients)  # fails clearly (exit 2) without credentials
    try:
        regions = enabled_regions(clients) if all_regions else (region or [home])
        if org_role:
            results = audit_organization(clients, org_role, regions)
        else:
            results = [audit_account(clients, regions)]
    except botocore.exceptions.ClientError as error:
        fail(f"audit failed: {error}")
    findings = [f for r in results for f in r.findings]
    for result in results:
        if result.error:
            errors.print(f"[yellow]account {result.account}:[/] {result.error}")
    extra = {
        "accounts": [{"account": r.account, "error": r.error} for r in results],
        "regions": list(regions),
    }
    _report(findings, output_format, output, Cloud.AWS, extra)
    if breaches(findings, fail_on) or any(r.error for r in results):
        raise typer.Exit(EXIT_FAILED)


@app.command("azure")
@input_errors
@needs("azure")
def audit_azure(
    subscription: AzureSubscription = None,
    output_format: Formats = AuditFormat.TABLE,
    output: Output = None,
    fail_on: FailOn = Severity.HIGH,
) -> None:
    """Live checks of every Azure control over a subscription, with the responder pre-flight."""
    from policies.findings import breaches
    from policies.live.azure.audit import audit_subscription
    from responders.azure.case import caller
    from responders.azure.session import azure_clients

    subscription = given_subscription(subscription)
    clients = azure_clients(subscription)
    caller(clients)  # fails clearly (exit 2) without credentials
    result = audit_subscription(clients)
    _report(result.findings, output_format, output, Cloud.AZURE, {"subscription": subscription})
    if breaches(result.findings, fail_on):
        raise typer.Exit(EXIT_FAILED)


@app.command("gcp")
@input_errors
@needs("gcp")
def audit_gcp(
    project: GcpProject = None,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization", help="Organization id: also audit its notification configs."
        ),
    ] = None,
    retention_days: Annotated[
        int,
        typer.Option(
            "--retention-days", min=1, help="The retention the stack was configured with."
        ),
    ] = DEFAULT_RETENTION_DAYS,
    output_format: Formats = AuditFormat.TABLE,
    output: Output = None,
    fail_on: FailOn = Severity.HIGH,
) -> None:
    """Live checks of every GCP control over a project, with the responder pre-flight."""
    from policies.findings import breaches
    from policies.live.gcp.audit import audit_project
    from responders.gcp.case import caller
    from responders.gcp.session import GcpClients

    project = given_project(project)
    clients = GcpClients(project)
    caller(clients)  # fails clearly (exit 2) without credentials
    result = audit_project(clients, organization, retention_days)
    extra = {"project": project, "organization": organization}
    _report(result.findings, output_format, output, Cloud.GCP, extra)
    if breaches(result.findings, fail_on):
        raise typer.Exit(EXIT_FAILED)


def _report(
    findings: list[Finding],
    output_format: AuditFormat,
    output: Path | None,
    cloud: Cloud,
    extra: dict[str, Any],
) -> None:
    from policies.live.heatmap import to_html

    if output_format is AuditFormat.HTML:
        write_or_print(to_html(findings, cloud), output)
    else:
        show(
            findings,
            FindingFormat(output_format.value),
            output,
            artifact_uri=cloud.value,
            extra=extra,
        )
