"""`prewire check [PROGRAM_DIR]`: forensic readiness of a Pulumi Python program, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prewire.cli.common import EXIT_FAILED, Output, errors, fail, input_errors
from prewire.cli.findings_view import FindingFormat, show
from prewire.render.program import KIT_ROOT
from prewire.vocabulary import Severity

KIT_EXAMPLE_CONFIG = KIT_ROOT / "Pulumi.example-aws.yaml"


def _display_path(path: Path) -> str:
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


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
    from policies.findings import breaches
    from policies.static.engine import evaluate
    from prewire.render import load_stack_config, locate_program, render
    from prewire.render.program import parse_overrides

    main_dir, project = locate_program(program)
    notes: list[str] = []
    if stack_config is None and program is None:
        stack_config = KIT_EXAMPLE_CONFIG
        notes.append(f"checking the kit's own program with {stack_config.name}")
    values = load_stack_config(stack_config, project) if stack_config else {}
    values.update(parse_overrides(config or [], project))
    graph = render(program, values)
    findings = evaluate(graph)
    notes += [
        f"invoke {i.token} is not mocked; the program saw an empty result"
        for i in graph.unanswered_invokes
    ]
    if with_checkov:
        from policies.checkov_run import run_checkov

        checkov = run_checkov(graph)
        findings += checkov.findings
        notes += checkov.notes
    for note in notes:
        errors.print(f"[yellow]note:[/] {note}")
    show(
        findings,
        output_format,
        output,
        artifact_uri=_display_path(main_dir / "__main__.py"),
        extra={"program": str(main_dir), "resources": len(graph), "notes": notes},
    )
    if breaches(findings, fail_on):
        raise typer.Exit(EXIT_FAILED)
    if not findings:
        fail("no controls applied: is this a Pulumi program with cloud resources?", EXIT_FAILED)
