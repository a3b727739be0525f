"""`prewire drill [SCENARIO ...]`: exercise the prewired readiness and responders end to end."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from prewire.cli.common import EXIT_FAILED, Format, OutputFormat, as_json, console, errors, fail


def drill(
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="Scenarios (default: all AWS ones).")
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir", help="Where the reports go (default ./drill-reports/<time>/)."
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="emulator (default) or aws.")
    ] = "emulator",
    region: Annotated[str, typer.Option("--region")] = "us-east-1",
    output_format: Format = OutputFormat.TABLE,
) -> None:
    """Provision, seed, gate, detect, respond, verify, report."""
    from prewire.drill.runner import DrillOptions, run_drill
    from prewire.drill.scenarios import SCENARIOS
    from prewire.registry import UnknownNameError

    if target != "emulator":
        fail("--target aws is not available yet: drills run on the embedded emulator")
    try:
        for name in scenarios or []:
            SCENARIOS.get(name)
    except UnknownNameError as error:
        fail(str(error))
    started = time.monotonic()

    def progress(message: str) -> None:
        errors.print(f"[dim]{time.monotonic() - started:6.1f}s[/] {message}")

    result = run_drill(
        DrillOptions(scenarios=scenarios or [], region=region, report_dir=report_dir), progress
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
