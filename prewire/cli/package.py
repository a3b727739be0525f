"""`prewire package azure-responder`: the responder Function's package for the Azure stack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prewire.cli.common import console, input_errors

app = typer.Typer(no_args_is_help=True, help="Build what the stack deploys as code.")


@app.command("azure-responder")
@input_errors
def azure_responder(
    output: Annotated[
        Path, typer.Option("--output", help="Directory to write (replaced if an earlier build).")
    ] = Path("build/azure-responder"),
    dependencies: Annotated[
        bool,
        typer.Option(
            "--dependencies/--no-dependencies",
            help="Vendor the Azure SDKs for Linux and Python 3.11 (needs the package index).",
        ),
    ] = True,
) -> None:
    """The Function code, host.json, requirements.txt and its vendored dependencies; point
    prewire:azure.responderPackage at the directory."""
    from prewire.package.azure import build_azure_responder

    if dependencies:
        console.print("installing the Function's dependencies for Linux / Python 3.11 ...")
    built = build_azure_responder(output, dependencies=dependencies)
    console.print(f"built {built}: set prewire:azure.responderPackage to {built}")
