"""`prewire plan`: the organisation's cloud incident response plan."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from prewire.cli.common import Output, input_errors, write_or_print


class PlanFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


@input_errors
def plan(
    stack_config: Annotated[
        Path | None,
        typer.Option("--stack-config", help="Pulumi.<stack>.yaml (default: the example)."),
    ] = None,
    output_format: Annotated[PlanFormat, typer.Option("--format")] = PlanFormat.MARKDOWN,
    output: Output = None,
) -> None:
    """Write the incident response plan from the catalogue and the stack configuration."""
    from prewire.check import KIT_EXAMPLE_CONFIG
    from prewire.plan import engine as planner
    from prewire.render import load_stack_config
    from stacks.settings import parse

    values = load_stack_config(stack_config or KIT_EXAMPLE_CONFIG, "prewire")
    raw = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("prewire:")}
    settings = parse(raw)
    text = (
        planner.html(settings) if output_format is PlanFormat.HTML else planner.markdown(settings)
    )
    write_or_print(text, output)
