"""The `prewire` command."""

from __future__ import annotations

import warnings

import typer

from prewire.cli import audit, check, coverage, drill, evidence, package, plan, respond, sandbox
from prewire.cli.common import input_errors
from prewire.cli.extras import needs
from prewire.cli.usage import OneLineUsageErrors

# google-api-core warns on every import that it will drop Python 3.11 in 2027: not the user's
# concern at incident time.
warnings.filterwarnings("ignore", message="You are using a Python version", category=FutureWarning)

app = typer.Typer(
    name="prewire",
    help="Forensic readiness for AWS, Azure and GCP: provision, verify, respond, drill.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineUsageErrors,
)
app.add_typer(respond.app, name="respond")
app.add_typer(evidence.app, name="evidence")
app.add_typer(audit.app, name="audit")
app.add_typer(package.app, name="package")
app.add_typer(sandbox.app, name="sandbox")
app.command("check")(check.check)
app.command("drill")(drill.drill)
app.command("coverage")(input_errors(needs("all")(coverage.coverage)))
app.command("plan")(plan.plan)
app.command("report")(input_errors(needs("aws")(evidence.report)))


@app.command("list")
def list_responders() -> None:
    """List the registered responder actions and playbooks with what they need."""
    from rich.table import Table

    from prewire.cli.common import console
    from prewire.core.vocabulary import Cloud
    from responders.playbooks import playbooks_of
    from responders.registry import actions_of

    table = Table(title="responders")
    for column in ("cloud", "name", "kind", "target", "changes workload", "summary"):
        table.add_column(column)
    from rich.markup import escape

    from prewire.cli.extras import CLOUD_MODULES, install_hint, missing_module

    for cloud in (Cloud.AWS, Cloud.AZURE, Cloud.GCP):
        absent = missing_module(cloud.value) if cloud.value in CLOUD_MODULES else None
        if absent:
            table.add_row(cloud.value, "-", "", "", "", escape(install_hint(cloud.value, absent)))
            continue
        for spec in actions_of(cloud):
            table.add_row(
                cloud.value,
                spec.name,
                "action",
                spec.target_kind,
                "yes" if spec.destructive else "no",
                spec.summary,
            )
        for book in playbooks_of(cloud):
            table.add_row(cloud.value, book.name, "playbook", book.target_kind, "", book.summary)
    console.print(table)


if __name__ == "__main__":
    app()
