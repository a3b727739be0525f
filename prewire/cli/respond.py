"""`prewire respond aws <action|playbook> --case CASE --target ID ...`"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from prewire.cli.common import (
    EXIT_FAILED,
    AzureSubscription,
    EndpointUrl,
    EvidenceBucket,
    Format,
    GcpProject,
    OutputFormat,
    Profile,
    Region,
    as_json,
    console,
    errors,
    fail,
    given_project,
    given_subscription,
    input_errors,
    resolve_region,
)
from prewire.cli.extras import needs
from prewire.cli.progress import RichProgress
from prewire.core.vocabulary import Cloud
from responders.runtime import Outcome

app = typer.Typer(help="Run a responder action or playbook against a compromised workload.")

Name = Annotated[str, typer.Argument(help="An action or playbook (see `prewire list`).")]
Case = Annotated[str, typer.Option("--case", help="Case id; evidence goes to cases/<case>/.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the exact calls; change nothing.")]
Yes = Annotated[bool, typer.Option("--yes", help="Confirm a release-* action.")]
Since = Annotated[str | None, typer.Option("--since", help="Log window start (default 24 h ago).")]
Until = Annotated[str | None, typer.Option("--until", help="Log window end (default now).")]
Workers = Annotated[int, typer.Option("--workers", min=1, max=256, help="Targets in parallel.")]


def _when(text: str | None, flag: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{flag} {text!r}: expected an ISO 8601 time like 2026-11-27T10:00:00Z")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def names_help(cloud: Cloud = Cloud.AWS) -> str:
    from responders.playbooks import playbooks_of
    from responders.registry import actions_of

    actions = ", ".join(a.name for a in actions_of(cloud))
    playbooks = ", ".join(p.name for p in playbooks_of(cloud))
    return f"actions: {actions}; playbooks: {playbooks}"


def _check_input(cloud: Cloud, name: str, case: str) -> None:
    """The action or playbook and the case id, checked before any client is built."""
    from responders.case import check_case_id
    from responders.playbooks import PLAYBOOKS
    from responders.registry import ACTIONS, load_cloud

    load_cloud(cloud)
    if (cloud, name) not in ACTIONS and (cloud, name) not in PLAYBOOKS:
        fail(f"unknown action or playbook {name!r}; {names_help(cloud)}")
    check_case_id(case)


def _run_and_report(
    cloud: Cloud,
    opened: Any,
    name: str,
    targets: list[str],
    *,
    variant: str | None,
    workers: int,
    dry_run: bool,
    output_format: OutputFormat,
) -> None:
    """Run the action or playbook on every target, print the outcomes, exit 1 on failure."""
    from prewire.core.evidence.custody import CustodyWriteError
    from responders.playbooks import PLAYBOOKS
    from responders.registry import ACTIONS
    from responders.runner import run_action, run_playbook, succeeded

    for warning in opened.warnings:
        errors.print(f"[yellow]warning:[/] {warning}")
    key = (cloud, name)
    try:
        if key in PLAYBOOKS:
            outcomes = run_playbook(
                opened,
                PLAYBOOKS.get(key),
                targets,
                lambda n: ACTIONS.get((cloud, n)),
                variant=variant,
                workers=workers,
            )
        else:
            outcomes = run_action(opened, ACTIONS.get(key), targets, workers=workers)
    except CustodyWriteError as error:  # changes may have been made: a partial failure
        fail(str(error), EXIT_FAILED)
    if output_format is OutputFormat.JSON:
        console.print_json(
            as_json(
                {
                    "case": opened.case_id,
                    "dry_run": dry_run,
                    "outcomes": [o.as_dict() for o in outcomes],
                }
            )
        )
    else:
        _table(outcomes, dry_run)
    if not succeeded(outcomes):
        raise typer.Exit(EXIT_FAILED)


@app.command("aws")
@input_errors
@needs("aws")
def respond_aws(
    name: Name,
    case: Case,
    target: Annotated[
        list[str], typer.Option("--target", help="Instance id, identity, function, cluster...")
    ],
    region: Region = None,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    dry_run: DryRun = False,
    evidence_bucket: EvidenceBucket = None,
    isolation_group: Annotated[str | None, typer.Option("--isolation-group")] = None,
    conversion_group: Annotated[str | None, typer.Option("--conversion-group")] = None,
    quarantine_policy_arn: Annotated[str | None, typer.Option("--quarantine-policy-arn")] = None,
    output_format: Format = OutputFormat.TABLE,
    yes: Yes = False,
    share_with: Annotated[
        str | None, typer.Option("--share-with", help="Account to share snapshots with.")
    ] = None,
    lock_days: Annotated[
        int | None, typer.Option("--lock-days", min=1, help="Lock snapshots this long.")
    ] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Do not wait for snapshots.")] = False,
    contain: Annotated[
        bool, typer.Option("--contain", help="preserve-function: reserved concurrency 0.")
    ] = False,
    since: Since = None,
    until: Until = None,
    isolate_first: Annotated[
        bool,
        typer.Option("--isolate-first", help="contain-instance: isolate before memory capture."),
    ] = False,
    workers: Workers = 16,
) -> None:
    from responders.aws.discovery import Overrides
    from responders.aws.opening import open_case
    from responders.aws.session import AwsClients
    from responders.case import Options

    _check_input(Cloud.AWS, name, case)
    clients = AwsClients(
        region=resolve_region(region, profile),
        profile=profile,
        endpoint_url=endpoint_url,
        max_pool=max(32, workers * 2),
    )
    options = Options(
        confirm_release=yes,
        share_with_account=share_with,
        lock_days=lock_days,
        wait_for_snapshots=not no_wait,
        contain_function=contain,
        window_start=_when(since, "--since"),
        window_end=_when(until, "--until"),
        isolate_first=isolate_first,
    )
    with RichProgress() as progress:
        opened = open_case(
            clients,
            case,
            overrides=Overrides(
                evidence_bucket=evidence_bucket,
                isolation_group=isolation_group,
                conversion_group=conversion_group,
                quarantine_policy_arn=quarantine_policy_arn,
            ),
            dry_run=dry_run,
            options=options,
            progress=progress,
        )
        _run_and_report(
            Cloud.AWS,
            opened,
            name,
            target,
            variant="isolate-first" if isolate_first else None,
            workers=workers,
            dry_run=dry_run,
            output_format=output_format,
        )


@app.command("azure")
@input_errors
@needs("azure")
def respond_azure(
    name: Name,
    case: Case,
    target: Annotated[
        list[str], typer.Option("--target", help="Resource id of a VM, AKS cluster or resource.")
    ],
    subscription: AzureSubscription = None,
    dry_run: DryRun = False,
    evidence_account: Annotated[
        str | None,
        typer.Option("--evidence-account", help="Storage account id (default: discovered)."),
    ] = None,
    isolation_nsg: Annotated[
        str | None,
        typer.Option("--isolation-nsg", help="Network security group id (default: discovered)."),
    ] = None,
    output_format: Format = OutputFormat.TABLE,
    yes: Yes = False,
    no_export: Annotated[
        bool, typer.Option("--no-export", help="snapshot-disks: keep snapshots, skip VHD copies.")
    ] = False,
    since: Since = None,
    until: Until = None,
    workers: Workers = 8,
) -> None:
    from responders.azure.case import open_case
    from responders.azure.discovery import Overrides
    from responders.azure.session import azure_clients
    from responders.case import Options

    _check_input(Cloud.AZURE, name, case)
    subscription = given_subscription(subscription)
    options = Options(
        confirm_release=yes,
        export_vhd=not no_export,
        window_start=_when(since, "--since"),
        window_end=_when(until, "--until"),
    )
    with RichProgress() as progress:
        opened = open_case(
            azure_clients(subscription),
            case,
            overrides=Overrides(evidence_account_id=evidence_account, isolation_nsg=isolation_nsg),
            dry_run=dry_run,
            options=options,
            progress=progress,
        )
        _run_and_report(
            Cloud.AZURE,
            opened,
            name,
            target,
            variant=None,
            workers=workers,
            dry_run=dry_run,
            output_format=output_format,
        )


@app.command("gcp")
@input_errors
@needs("gcp")
def respond_gcp(
    name: Name,
    case: Case,
    target: Annotated[
        list[str],
        typer.Option(
            "--target",
            help="projects/<p>/zones/<z>/instances/<n>, projects/<p>/locations/<l>/clusters/<n> "
            "or projects/<p>/locations/<l>/services/<n> (Cloud Run)",
        ),
    ],
    project: GcpProject = None,
    dry_run: DryRun = False,
    evidence_bucket: Annotated[
        str | None,
        typer.Option("--evidence-bucket", help="Evidence bucket (default: discovered by label)."),
    ] = None,
    output_format: Format = OutputFormat.TABLE,
    yes: Yes = False,
    export_vmdk: Annotated[
        bool,
        typer.Option(
            "--export-vmdk",
            help="snapshot-disks: also export each snapshot as a hashed VMDK (Cloud Build; slow).",
        ),
    ] = False,
    since: Since = None,
    until: Until = None,
    workers: Workers = 8,
) -> None:
    from responders.case import Options
    from responders.gcp.case import open_case
    from responders.gcp.session import GcpClients

    _check_input(Cloud.GCP, name, case)
    project = given_project(project)
    with RichProgress() as progress:
        opened = open_case(
            GcpClients(project),
            case,
            evidence_bucket=evidence_bucket,
            dry_run=dry_run,
            options=Options(
                confirm_release=yes,
                export_vmdk=export_vmdk,
                window_start=_when(since, "--since"),
                window_end=_when(until, "--until"),
            ),
            progress=progress,
        )
        _run_and_report(
            Cloud.GCP,
            opened,
            name,
            target,
            variant=None,
            workers=workers,
            dry_run=dry_run,
            output_format=output_format,
        )


def _table(outcomes: list[Outcome], dry_run: bool) -> None:
    table = Table(title="dry run: nothing was changed" if dry_run else "responder outcomes")
    for column in ("target", "action", "status", "what happened"):
        table.add_column(column)
    colours = {
        "changed": "green",
        "collected": "green",
        "unchanged": "dim",
        "planned": "cyan",
        "failed": "red",
        "unsupported": "yellow",
    }
    for outcome in outcomes:
        detail = outcome.message
        if outcome.warnings:
            detail += "\n" + "\n".join(f"! {w}" for w in outcome.warnings)
        status = outcome.status.value
        table.add_row(
            outcome.target, outcome.action, f"[{colours.get(status, 'white')}]{status}[/]", detail
        )
    console.print(table)
    planned = [(o, p) for o in outcomes for p in o.planned]
    if planned:
        console.print("[bold]calls a real run would make:[/]")
        for outcome, call in planned:
            console.print(
                f"{outcome.target}: {call}", soft_wrap=True, highlight=False, markup=False
            )
