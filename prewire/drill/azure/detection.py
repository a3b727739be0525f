"""Does the deployed continuous-export automation send this alert to the responder's hub?

Defender for Cloud evaluates an automation's sources for each alert: a source matches when one of
its rule sets matches, and a rule set when all of its rules hold (rule sets are OR'ed, rules
AND'ed). The drill reads the subscription's automations through Resource Manager and evaluates
them here against the alert it raises, the way Defender would; the fake has no Defender to
raise alerts and no Event Hub data plane to deliver them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prewire.core import tokens
from prewire.core.azure.arm_types import ARM_TYPES
from prewire.core.vocabulary import ROLE_TAG
from responders.azure.discovery import Role
from responders.azure.session import AzureClients


class RoutingError(Exception):
    """No automation exports the alert to the responder's hub: the responder would not run."""


@dataclass(frozen=True)
class Route:
    automation: str
    hub: str


def _value(alert: dict[str, Any], path: str) -> Any:
    """A dotted property path, matched case-insensitively (Defender's JPaths are PascalCase)."""
    current: Any = alert
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = next((v for k, v in current.items() if k.lower() == part.lower()), None)
    return current


def _holds(rule: dict[str, Any], alert: dict[str, Any]) -> bool:
    actual = _value(alert, str(rule.get("propertyJPath", "")))
    expected = str(rule.get("expectedValue", ""))
    text = "" if actual is None else str(actual)
    operator = str(rule.get("operator", "Equals"))
    checks = {
        "equals": lambda: text == expected,
        "equalsignorecase": lambda: text.lower() == expected.lower(),
        "notequals": lambda: text != expected,
        "contains": lambda: expected in text,
        "startswith": lambda: text.startswith(expected),
        "endswith": lambda: text.endswith(expected),
    }
    check = checks.get(operator.lower())
    if check is None:
        raise RoutingError(f"the drill cannot evaluate automation rule operator {operator}")
    return check()


def exports(automation: dict[str, Any], alert: dict[str, Any]) -> bool:
    properties = automation.get("properties") or {}
    if not properties.get("isEnabled", False):
        return False
    for source in properties.get("sources") or []:
        if str(source.get("eventSource", "")).lower() != "alerts":
            continue
        rule_sets = source.get("ruleSets") or []
        if not rule_sets:  # no rule sets: every alert
            return True
        if any(all(_holds(r, alert) for r in s.get("rules") or []) for s in rule_sets):
            return True
    return False


def route(clients: AzureClients, alert: dict[str, Any]) -> Route:
    """The automation that exports `alert` to the stack's alert hub, or RoutingError."""
    automations = clients.arm_list(
        f"/subscriptions/{clients.subscription_id}/providers/"
        f"{ARM_TYPES[tokens.AZ_SECURITY_AUTOMATION].type}",
        ARM_TYPES[tokens.AZ_SECURITY_AUTOMATION].api_version,
    )
    prewired = [
        a for a in automations if (a.get("tags") or {}).get(ROLE_TAG) == Role.ALERT_HUB.value
    ]
    if not prewired:
        raise RoutingError(
            "no Defender export automation tagged prewire:role=alert-hub: deploy the stack"
        )
    for automation in prewired:
        hubs = [
            str(action.get("eventHubResourceId"))
            for action in (automation.get("properties") or {}).get("actions") or []
            if str(action.get("actionType", "")).lower() == "eventhub"
        ]
        if hubs and exports(automation, alert):
            return Route(str(automation["id"]), hubs[0])
    raise RoutingError(
        f"no automation exports this {alert.get('Severity')} alert: its rules would drop it "
        "and the responder would not run"
    )
