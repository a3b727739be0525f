"""Usage errors on one line: `error: <what>` and exit code 2, on every command.

Click prints a usage error as a boxed block of five or more lines (the usage, a hint, the
message). A responder at incident time, or a pipeline's log, wants the one line that says what
was wrong, the same shape as every other input error prewire reports.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

# Typer 0.29 carries its own copy of click: its exceptions, not the `click` package's, are what a
# parse raises. They are not re-exported publicly.
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

EXIT_USAGE = 2


class OneLineUsageErrors(TyperGroup):
    """The top-level group: runs the command, then turns a usage error into one line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = {"windows_expand_args": windows_expand_args, **extra}
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **run)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **run)
        except click_errors.NoArgsIsHelpError as error:
            typer.echo(error.ctx.get_help() if error.ctx else "", err=True)
            sys.exit(EXIT_USAGE)
        except click_errors.UsageError as error:
            where = f" (see {error.ctx.command_path} --help)" if error.ctx else ""
            _one_line(f"{error.format_message()}{where}")
            sys.exit(EXIT_USAGE)
        except click_errors.ClickException as error:
            _one_line(error.format_message())
            sys.exit(error.exit_code)
        except typer.Abort:
            _one_line("aborted")
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _one_line(message: str) -> None:
    from rich.markup import escape

    from prewire.cli.common import errors

    text = escape(" ".join(message.split()))
    errors.print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True)
