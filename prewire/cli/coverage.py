"""`prewire coverage`: the evidence coverage matrix."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from prewire.cli.common import as_json, console


class CoverageFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def coverage(
    output_format: Annotated[CoverageFormat, typer.Option("--format")] = CoverageFormat.TABLE,
) -> None:
    """Which evidence sources are provisioned, checked, audited, collected and drilled."""
    from prewire import coverage as computed

    rows = computed.matrix()
    if output_format is CoverageFormat.MARKDOWN:
        typer.echo(computed.as_markdown(rows), nl=False)
        return
    if output_format is CoverageFormat.JSON:
        console.print_json(as_json(computed.as_json(rows)))
        return
    table = Table(title="evidence coverage")
    for column in ("cloud", "evidence source", *computed.FACES):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.source.cloud.value,
            row.source.label,
            *["[green]yes[/]" if row.covered(f) else "[red]no[/]" for f in computed.FACES],
        )
    console.print(table)
