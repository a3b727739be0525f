"""Rendering findings for the terminal and choosing the output format, for check and audit."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.table import Table

from policies.findings import Finding, Status, summary
from policies.output import to_json, to_junit, to_sarif
from prewire.cli.common import console, write_or_print

COLOURS = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


class FindingFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"


def show(
    findings: Sequence[Finding],
    output_format: FindingFormat,
    output: Path | None,
    *,
    artifact_uri: str,
    extra: dict[str, Any] | None = None,
) -> None:
    if output_format is FindingFormat.JSON:
        write_or_print(to_json(findings, extra), output)
    elif output_format is FindingFormat.SARIF:
        write_or_print(to_sarif(findings, artifact_uri, (extra or {}).get("scope")), output)
    elif output_format is FindingFormat.JUNIT:
        write_or_print(to_junit(findings, scope=(extra or {}).get("scope")), output)
    else:
        table(findings, output)


STATUS_ORDER = (Status.FAILED, Status.UNKNOWN, Status.PASSED, Status.BASELINE)
STATUS_STYLE = {
    Status.FAILED: "[red]failed[/]",
    Status.PASSED: "[green]passed[/]",
    Status.UNKNOWN: "[yellow]unknown[/]",
    Status.BASELINE: "[blue]baseline[/]",
}


def table(findings: Sequence[Finding], output: Path | None) -> None:
    view = Table(title="forensic readiness")
    for column in ("control", "severity", "status", "resource", "message"):
        view.add_column(column, overflow="fold")
    relied_on = sorted({f.control.id for f in findings if f.status is Status.BASELINE})
    for finding in sorted(
        (f for f in findings if f.status is not Status.BASELINE),
        key=lambda f: (STATUS_ORDER.index(f.status), -f.control.severity.rank, f.control.id),
    ):
        severity = finding.control.severity.value
        view.add_row(
            finding.control.id,
            f"[{COLOURS[severity]}]{severity}[/]",
            STATUS_STYLE[finding.status],
            finding.resource or "-",
            finding.message,
        )
    counts = summary(findings)
    footer = (
        f"{counts['total']} findings: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['unknown']} unknown"
    )
    if relied_on:
        footer += (
            f"; relied on the account baseline, not judged here: {', '.join(relied_on)} "
            "(details with --format json; check them with --baseline-stack-outputs)"
        )
    if output is not None:
        from rich.console import Console

        with output.open("w") as handle:
            Console(file=handle, width=200).print(view, footer)
        return
    console.print(view)
    console.print(footer)
