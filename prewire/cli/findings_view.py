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
        write_or_print(to_sarif(findings, artifact_uri), output)
    elif output_format is FindingFormat.JUNIT:
        write_or_print(to_junit(findings), output)
    else:
        table(findings, output)


def table(findings: Sequence[Finding], output: Path | None) -> None:
    view = Table(title="forensic readiness")
    for column in ("control", "severity", "status", "resource", "message"):
        view.add_column(column, overflow="fold")
    for finding in sorted(
        findings,
        key=lambda f: (f.status is not Status.FAILED, -f.control.severity.rank, f.control.id),
    ):
        severity = finding.control.severity.value
        status = {
            "failed": "[red]failed[/]",
            "passed": "[green]passed[/]",
            "unknown": "[yellow]unknown[/]",
        }[finding.status.value]
        view.add_row(
            finding.control.id,
            f"[{COLOURS[severity]}]{severity}[/]",
            status,
            finding.resource or "-",
            finding.message,
        )
    counts = summary(findings)
    footer = (
        f"{counts['total']} findings: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['unknown']} unknown"
    )
    if output is not None:
        from rich.console import Console

        with output.open("w") as handle:
            Console(file=handle, width=200).print(view, footer)
        return
    console.print(view)
    console.print(footer)
