"""`prewire drill [SCENARIO ...]`: exercise the prewired readiness and responders end to end."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from prewire.cli.common import (
    EXIT_FAILED,
    EndpointUrl,
    Format,
    OutputFormat,
    Profile,
    Region,
    as_json,
    console,
    errors,
    fail,
    input_errors,
    resolve_region,
    writable_directory,
)
from prewire.cli.extras import needs


class DrillTarget(StrEnum):
    EMULATOR = "emulator"
    AWS = "aws"


class Provisioner(StrEnum):
    API = "api"
    PULUMI = "pulumi"


class CloudModelName(StrEnum):
    NONE = "none"
    REALISTIC = "realistic"


class ResponderMode(StrEnum):
    FUNCTION = "function"
    LOCAL = "local"


@input_errors
@needs("drill")
def drill(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(help="Scenarios (default: every one the target supports)."),
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            help="Where the reports go (default ./drill-reports/<time>/).",
            callback=writable_directory,
        ),
    ] = None,
    target: Annotated[
        DrillTarget,
        typer.Option(
            "--target",
            help="emulator: the embedded AWS emulator, Azure and GCP fakes (default). aws: a "
            "sandbox account with the stack deployed, using canaries only.",
        ),
    ] = DrillTarget.EMULATOR,
    provision_with: Annotated[
        Provisioner,
        typer.Option(
            "--provision",
            help="emulator: create the rendered stack through the API (default), or deploy the "
            "program with `pulumi up` (needs the Pulumi CLI).",
        ),
    ] = Provisioner.API,
    cloud_model: Annotated[
        CloudModelName,
        typer.Option(
            "--cloud-model",
            help="emulator: realistic puts AWS's per-API rate limits (throttling) and a 50 ms "
            "median latency in front of the embedded AWS; the report notes calls and throttles.",
        ),
    ] = CloudModelName.NONE,
    region: Region = None,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="--target aws: leave the canaries for inspection.")
    ] = False,
    canary_ami: Annotated[
        str | None,
        typer.Option("--canary-ami", help="--target aws: AMI for the canary (default: AL2023)."),
    ] = None,
    responder: Annotated[
        ResponderMode,
        typer.Option(
            "--responder",
            help="--target aws: invoke the deployed responder function (default), or run the "
            "handler here as the responder role.",
        ),
    ] = ResponderMode.FUNCTION,
    output_format: Format = OutputFormat.TABLE,
) -> None:
    """Provision, seed, gate, detect, respond, verify, report."""
    from prewire.drill.aws.sandbox import SandboxOptions
    from prewire.drill.options import DrillOptions
    from prewire.drill.runner import run_drill
    from prewire.drill.scenarios import SCENARIOS

    for name in scenarios or []:
        SCENARIOS.get(name)  # an unknown name is an input error before anything starts
    sandbox = None
    if target is DrillTarget.AWS:
        sandbox = SandboxOptions(
            region=resolve_region(region, profile),
            profile=profile,
            endpoint_url=endpoint_url,
            keep=keep,
            canary_ami=canary_ami,
            responder="function" if responder is ResponderMode.FUNCTION else "local",
        )
        if provision_with is Provisioner.PULUMI:
            fail("--provision applies to the emulator: a sandbox account is deployed beforehand")
        if cloud_model is not CloudModelName.NONE:
            fail("--cloud-model applies to the emulator: a sandbox account has its own limits")
    elif profile or endpoint_url or keep or canary_ami:
        fail("--profile, --endpoint-url, --keep and --canary-ami apply to --target aws only")
    elif provision_with is Provisioner.PULUMI:
        from prewire.drill.aws.pulumi_up import require_pulumi_cli

        require_pulumi_cli()
    started = time.monotonic()

    def progress(message: str) -> None:
        errors.print(f"[dim]{time.monotonic() - started:6.1f}s[/] {message}")

    result = run_drill(
        DrillOptions(
            scenarios=scenarios or [],
            region=region or "us-east-1",
            report_dir=report_dir,
            sandbox=sandbox,
            provision_with=provision_with.value,
            cloud_model=cloud_model.value,
        ),
        progress,
    )
    elapsed = time.monotonic() - started
    if output_format is OutputFormat.JSON:
        console.print_json(
            as_json(
                {
                    "drill": result.drill_id,
                    "ok": result.ok,
                    "seconds": round(elapsed, 1),
                    "reports": [str(p) for p in result.report_paths],
                    "report": result.report.as_dict(),
                }
            )
        )
    else:
        _summary(result, elapsed)
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


def _summary(result: object, elapsed: float) -> None:
    from prewire.drill.runner import DrillResult

    assert isinstance(result, DrillResult)
    table = Table(title=f"drill {result.drill_id}: expectations")
    for column in ("scenario", "expectation", "result", "detail"):
        table.add_column(column, overflow="fold")
    colours = {"held": "green", "failed": "red", "not-verifiable": "yellow"}
    for check in result.report.checks:
        table.add_row(
            check.group,
            check.name,
            f"[{colours[check.status]}]{check.status}[/]",
            check.detail[:200],
        )
    console.print(table)
    for metric in result.report.metrics:
        contained = metric.time_to_containment
        evidence = metric.time_to_evidence
        console.print(
            f"{metric.group}: time to containment "
            f"{'n/a' if contained is None else f'{contained:.1f}s'}, to first evidence "
            f"{'n/a' if evidence is None else f'{evidence:.1f}s'}"
        )
    verdict = "[green]every expectation held[/]" if result.ok else "[red]the drill FAILED[/]"
    console.print(f"{verdict} in {elapsed:.1f}s")
    for path in result.report_paths:
        console.print(f"report: {path}")
