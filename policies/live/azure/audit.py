"""`prewire audit azure`: every check runs once over the subscription."""

from __future__ import annotations

from policies.live.audit import AccountResult
from policies.live.azure.checks import AzureLiveContext
from policies.live.engine import run_check, specs_of
from policies.static.engine import DEFAULT_RETENTION_DAYS
from prewire.core.vocabulary import Cloud
from responders.azure.discovery import discover
from responders.azure.session import AzureClients


def audit_subscription(clients: AzureClients) -> AccountResult:
    """Every Azure control's live check over one subscription."""
    prewired = discover(clients)
    context = AzureLiveContext(
        clients=clients,
        prewired=prewired,
        retention_days=prewired.retention_days or DEFAULT_RETENTION_DAYS,
    )
    result = AccountResult(clients.subscription_id)
    for spec in specs_of(Cloud.AZURE):
        result.findings.extend(run_check(spec, context))
    result.findings.sort(key=lambda f: (f.control.id, f.resource or ""))
    return result
