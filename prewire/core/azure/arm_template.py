"""Export the azure-native resources of a rendered graph as an ARM template, for checkov's `arm`
framework.

pulumi-azure-native is generated from the same REST specs ARM templates follow, with the body's
`properties` flattened into the resource's inputs. The export puts them back: ARM's top-level
keys stay on top (location, tags, sku, kind, identity, zones), everything else goes under
`properties`, the inputs that only name the resource (resourceGroupName, accountName, ...) make
up its `name`, extension resources (locks, diagnostic settings, role assignments) get their
`scope`, and the few inputs azure-native renames get their ARM names back.
"""

from __future__ import annotations

import json
from typing import Any

from prewire.core.azure.arm_types import ARM_TYPES, ArmType
from prewire.core.graph import Graph, Resource, whole_numbers

TOP_LEVEL = {"location", "tags", "sku", "kind", "identity", "zones", "extendedLocation", "etag"}
# Types whose specs keep one of those keys under `properties` instead.
IN_PROPERTIES: dict[str, set[str]] = {"Microsoft.OperationalInsights/workspaces": {"sku"}}
# Inputs that name the resource (its id's segments), never properties of its body.
NAMING = {
    "resourceGroupName",
    "scope",
    "resourceUri",
    "scopeId",
    "blobServicesName",
    "immutabilityPolicyName",
}
# azure-native input -> ARM property, where they differ (per ARM type).
RENAMES: dict[str, dict[str, str]] = {
    "Microsoft.Storage/storageAccounts": {
        "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
        "networkRuleSet": "networkAcls",
    },
}
# Arrays whose items ARM writes as {name, properties: {...}}; azure-native flattens them.
NAMED_ITEMS = {"securityRules"}


def _arm_properties(arm: ArmType, inputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level keys, properties) of the ARM resource body."""
    renames = RENAMES.get(arm.type, {})
    naming = NAMING | {key for key in arm.names if not key.startswith("=")}
    top: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in naming or key.startswith("$") or key == "__defaults":
            continue
        if key in TOP_LEVEL and key not in IN_PROPERTIES.get(arm.type, set()):
            top[key] = value
            continue
        if key in NAMED_ITEMS and isinstance(value, list):
            value = [_named(item) for item in value]
        if key == "properties" and isinstance(value, dict):
            properties.update(value)  # a resource whose inputs already nest (Backup vaults)
            continue
        properties[renames.get(key, key)] = value
    return top, properties


def _named(item: Any) -> Any:
    if not isinstance(item, dict) or "properties" in item:
        return item
    return {"name": item.get("name"), "properties": {k: v for k, v in item.items() if k != "name"}}


def _name(arm: ArmType, resource: Resource) -> str:
    segments = []
    for key in arm.names:
        if key.startswith("="):
            segments.append(key[1:])
        else:
            segments.append(str(resource.get(key) or resource.outputs.get("name") or resource.name))
    return "/".join(segments)


def arm_body(resource: Resource) -> dict[str, Any] | None:
    """The resource as an ARM template entry (None for what is not an ARM resource)."""
    arm = ARM_TYPES.get(resource.type)
    if arm is None or not resource.custom:
        return None
    top, properties = _arm_properties(arm, whole_numbers(dict(resource.inputs)))
    body: dict[str, Any] = {
        "type": arm.type,
        "apiVersion": arm.api_version,
        "name": _name(arm, resource),
        **top,
        "properties": properties,
    }
    if arm.scope.startswith("input:"):
        scope = resource.get(arm.scope.split(":", 1)[1])
        if scope:
            body["scope"] = str(scope)
    return body


def export(graph: Graph) -> tuple[dict[str, Any], dict[str, Resource]]:
    """(ARM template, checkov resource address -> rendered resource)."""
    resources: list[dict[str, Any]] = []
    by_address: dict[str, Resource] = {}
    for resource in graph:
        body = arm_body(resource)
        if body is None:
            continue
        resources.append(body)
        # checkov names an ARM resource "<type>.<name>".
        by_address[f"{body['type']}.{body['name']}"] = resource
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    }
    return template, by_address


def dumps(graph: Graph) -> str:
    return json.dumps(export(graph)[0], indent=2, default=str)
