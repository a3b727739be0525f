"""The Azure responder Function: Defender alerts from the stack's Event Hub in, evidence out.

The stack deploys a Function App (Python, `function_app.py` below) whose Event Hub trigger reads
the hub Defender's continuous export writes to, as the responder managed identity, and calls
`handle` with each event's body. `handle` builds the clients from the app's settings and runs
`respond_to_alert` for every alert in the body (the export may batch several into one JSON
array). A response that did not complete raises, so the Functions host logs it as a failed
invocation and its retry policy runs it again; re-running a case resumes it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from responders.azure.alerts import respond_to_alert
from responders.azure.session import azure_clients

log = logging.getLogger("prewire.responders")

ALERT_HUB_CONNECTION = "AlertHub"
"""The app-setting prefix of the hub connection (identity-based: `AlertHub__...`)."""
ALERT_HUB_NAME_SETTING = "PREWIRE_ALERT_HUB"
AUTO_CONTAIN_SETTING = "PREWIRE_AUTO_CONTAIN"
SUBSCRIPTION_SETTING = "AZURE_SUBSCRIPTION_ID"

# The Functions Python v2 programming model: one trigger, retried with a fixed delay.
FUNCTION_APP_SOURCE = f'''"""prewire's responder Function (written by `prewire package`)."""

import azure.functions as func

from responders.azure.function import handle

app = func.FunctionApp()


@app.function_name(name="prewire-responder")
@app.event_hub_message_trigger(
    arg_name="event",
    event_hub_name="%{ALERT_HUB_NAME_SETTING}%",
    connection="{ALERT_HUB_CONNECTION}",
    cardinality="one",
)
@app.retry(strategy="fixed_delay", max_retry_count="3", delay_interval="00:01:00")
def respond(event: func.EventHubEvent) -> None:
    handle(event.get_body())
'''

HOST_JSON = {
    "version": "2.0",
    # A whole contain-instance with VHD exports of large disks takes longer than the default.
    "functionTimeout": "00:10:00",
    "extensionBundle": {
        "id": "Microsoft.Azure.Functions.ExtensionBundle",
        "version": "[4.*, 5.0.0)",
    },
}


def alerts_in(body: bytes | str) -> list[dict[str, Any]]:
    """The alerts of one event body: an alert, an array of alerts, or `{"records": [...]}`."""
    try:
        parsed = json.loads(body)
    except ValueError as error:
        raise ValueError(f"the event body is not JSON: {error}") from error
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        parsed = parsed["records"]
    items = parsed if isinstance(parsed, list) else [parsed]
    return [item for item in items if isinstance(item, dict)]


def handle(body: bytes | str, settings: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    settings = os.environ if settings is None else settings
    subscription = settings.get(SUBSCRIPTION_SETTING)
    if not subscription:
        raise RuntimeError(f"the app setting {SUBSCRIPTION_SETTING} is missing")
    auto_contain = settings.get(AUTO_CONTAIN_SETTING, "false").lower() == "true"
    clients = azure_clients(subscription)
    results = []
    for alert in alerts_in(body):
        result = respond_to_alert(alert, clients, auto_contain=auto_contain)
        log.info("prewire response: %s", {k: v for k, v in result.items() if k != "outcomes"})
        results.append(result)
    incomplete = [str(r["case"]) for r in results if r.get("handled") and not r.get("ok")]
    if incomplete:
        raise RuntimeError(f"prewire response incomplete for {', '.join(incomplete)}; see custody")
    return results
