"""`prewire audit gcp`: every check runs once over the project, read back as a graph."""

from __future__ import annotations

from policies.live.audit import AccountResult
from policies.live.engine import run_check, specs_of
from policies.live.gcp.checks import GcpLiveContext, check_project
from policies.static.engine import DEFAULT_RETENTION_DAYS
from prewire.core.vocabulary import Cloud
from responders.gcp.discovery import discover
from responders.gcp.session import GcpClients


def audit_project(
    clients: GcpClients,
    organization: str | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> AccountResult:
    """Every GCP control's live check over one project (and its organization's notification
    configs, with an organization id), against the retention the stack was configured with; an
    unknown project is refused before any check."""
    context = GcpLiveContext(
        clients=clients,
        prewired=discover(clients),
        organization=organization,
        retention_days=retention_days,
    )
    check_project(context)
    result = AccountResult(clients.project)
    for spec in specs_of(Cloud.GCP):
        result.findings.extend(run_check(spec, context))
    result.findings.sort(key=lambda f: (f.control.id, f.resource or ""))
    return result
