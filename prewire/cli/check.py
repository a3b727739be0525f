"""`prewire check [PROGRAM_DIR]`: forensic readiness of a Pulumi Python program, offline."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from policies.findings import Finding
from policies.scope import CheckScope
from prewire.cli.common import EXIT_FAILED, Output, errors, fail, input_errors
from prewire.cli.findings_view import FindingFormat, show
from prewire.core.vocabulary import Severity


def _display_path(path: Path) -> str:
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


def _with_display_file(finding: Finding) -> Finding:
    """The declaring file relative to where prewire runs, as code scanning wants it (the
    repository root, in a pipeline)."""
    if "file" not in finding.location:
        return finding
    file = _display_path(Path(finding.location["file"]))
    return dataclasses.replace(finding, location={**finding.location, "file": file})


@input_errors
def check(
    program: Annotated[
        Path | None, typer.Argument(help="Pulumi Python program (default: the kit's).")
    ] = None,
    stack_config: Annotated[
        Path | None, typer.Option("--stack-config", help="Pulumi.<stack>.yaml to render with.")
    ] = None,
    config: Annotated[
        list[str] | None, typer.Option("--config", help="KEY=VALUE stack config (repeatable).")
    ] = None,
    scope: Annotated[
        CheckScope,
        typer.Option(
            "--scope",
            help="account: the baseline's presence controls; workload: what the program "
            "declares; all: both; auto: decided from the program (default).",
        ),
    ] = CheckScope.AUTO,
    baseline_stack_outputs: Annotated[
        Path | None,
        typer.Option(
            "--baseline-stack-outputs",
            help="`pulumi stack output --json` of the baseline stack: a workload's account "
            "controls are checked against it.",
        ),
    ] = None,
    stack_outputs: Annotated[
        list[str] | None,
        typer.Option(
            "--stack-outputs",
            help="STACK=FILE: outputs of a stack the program references (repeatable).",
        ),
    ] = None,
    policy_config: Annotated[
        Path | None,
        typer.Option(
            "--policy-config",
            help="Scope and per-control overrides (default: prewire.yaml in the program's "
            "folder; a CrossGuard policy-pack config file works too).",
        ),
    ] = None,
    output_format: Annotated[FindingFormat, typer.Option("--format")] = FindingFormat.TABLE,
    output: Output = None,
    with_checkov: Annotated[
        bool, typer.Option("--with-checkov", help="Also run checkov on the rendered graph.")
    ] = False,
    fail_on: Annotated[
        Severity, typer.Option("--fail-on", help="Exit 1 when a finding at or above this failed.")
    ] = Severity.HIGH,
) -> None:
    """Render the program under Pulumi mocks and check it against the control catalogue."""
    from prewire.check import CheckRequest, check_program

    result = check_program(
        CheckRequest(
            program=program,
            stack_config=stack_config,
            config=config or [],
            scope=scope,
            baseline_outputs=baseline_stack_outputs,
            stack_outputs=stack_outputs or [],
            policy_config=policy_config,
            with_checkov=with_checkov,
        )
    )
    for note in result.notes:
        errors.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    errors.print(
        f"[cyan]scope:[/] {result.decision.scope.value} ({result.decision.reason})",
        highlight=False,
        soft_wrap=True,
    )
    show(
        [_with_display_file(f) for f in result.findings],
        output_format,
        output,
        artifact_uri=_display_path(result.main_dir / "__main__.py"),
        extra=result.summary_extra(),
    )
    if result.settings.breaches(result.findings, fail_on):
        raise typer.Exit(EXIT_FAILED)
    if not result.findings:
        fail("no controls applied: is this a Pulumi program with cloud resources?", EXIT_FAILED)
