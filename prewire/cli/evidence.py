"""`prewire evidence verify CASE` and `prewire evidence log CASE`.

A case is looked up under `cases/`, then under `drills/` (drills and sample findings).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prewire.cli.common import (
    EXIT_FAILED,
    EndpointUrl,
    EvidenceBucket,
    Format,
    OutputFormat,
    Profile,
    Region,
    ReportDir,
    as_json,
    console,
    fail,
    input_errors,
    resolve_region,
)
from prewire.cli.extras import needs

if TYPE_CHECKING:
    from responders.aws.store import S3EvidenceStore

app = typer.Typer(help="Verify and read a case's evidence and custody log.")


def _store(
    case: str,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    evidence_bucket: str | None,
) -> S3EvidenceStore:
    from responders.aws.discovery import discover
    from responders.aws.session import AwsClients
    from responders.aws.store import store_of_case
    from responders.case import check_case_id

    check_case_id(case)
    needs = (
        "this reads the case from the deployed evidence store (AWS: --region with --profile or "
        "credentials; `prewire sandbox up` prints the --endpoint-url and credentials to use)"
    )
    clients = AwsClients(
        region=resolve_region(region, profile, needs), profile=profile, endpoint_url=endpoint_url
    )
    bucket = evidence_bucket or discover(clients).evidence_bucket
    if not bucket:
        fail("no evidence bucket: pass --evidence-bucket (none published at /prewire/aws)")
    return store_of_case(clients, bucket, case)


@app.command("verify")
@input_errors
@needs("aws")
def verify(
    case: Annotated[str, typer.Argument(help="Case id.")],
    region: Region = None,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    evidence_bucket: EvidenceBucket = None,
    output_format: Format = OutputFormat.TABLE,
) -> None:
    """Recompute every artifact hash and the custody chain; exit 1 on any mismatch."""
    from prewire.core.evidence.verify import verify_case

    result = verify_case(_store(case, region, profile, endpoint_url, evidence_bucket), case)
    if output_format is OutputFormat.JSON:
        console.print_json(
            as_json(
                {
                    "case": case,
                    "ok": result.ok,
                    "entries": result.entries,
                    "artifacts": result.artifacts,
                    "problems": [p.__dict__ for p in result.problems],
                }
            )
        )
    else:
        verdict = "[green]intact[/]" if result.ok else "[red]NOT intact[/]"
        console.print(
            f"case {case}: {verdict} ({result.entries} custody entries, "
            f"{result.artifacts} artifacts, {result.verified_bytes} bytes rehashed)"
        )
        for problem in result.problems:
            console.print(f"  [red]{problem}[/]")
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


def report(
    case: Annotated[str, typer.Argument(help="Case id.")],
    region: Region = None,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    evidence_bucket: EvidenceBucket = None,
    report_dir: ReportDir = None,
    detected_at: Annotated[
        str | None, typer.Option("--detected-at", help="When the incident was detected (ISO 8601).")
    ] = None,
) -> None:
    """Write the incident report (Markdown, HTML, JSON) of a case from its custody log."""
    from prewire.report.case import case_report
    from prewire.report.writers import write_all

    store = _store(case, region, profile, endpoint_url, evidence_bucket)
    entries = store.read_all_entries(case)
    if not entries:
        fail(f"case {case} has no custody log in {store.bucket}")
    when = datetime.fromisoformat(detected_at.replace("Z", "+00:00")) if detected_at else None
    built = case_report(store, case, entries, when)
    for path in write_all(built, report_dir or Path("reports") / case):
        console.print(f"report: {path}")
    if not built.ok:
        raise typer.Exit(EXIT_FAILED)


@app.command("log")
@input_errors
@needs("aws")
def show_log(
    case: Annotated[str, typer.Argument(help="Case id.")],
    region: Region = None,
    profile: Profile = None,
    endpoint_url: EndpointUrl = None,
    evidence_bucket: EvidenceBucket = None,
) -> None:
    """Print the custody log as JSON lines, in sequence order."""
    store = _store(case, region, profile, endpoint_url, evidence_bucket)
    for entry in store.read_all_entries(case):
        typer.echo(entry.line())
