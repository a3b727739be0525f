"""Create the rendered Azure stack in a subscription (the fake) through the management API.

Every azure-native resource of the rendered graph is PUT at the id the renderer gave it, with
the body of its ARM template entry (`prewire/core/azure/arm_template.py`), in registration
order (parents first); the deploy-time locks of immutability policies are taken with the
stack's own lock function. Used by drills and tests on the fake, where `pulumi up` cannot run;
anything the subscription refuses is listed, not skipped silently.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError

from prewire.core import tokens as t
from prewire.core.azure.arm_template import arm_body
from prewire.core.graph import Graph, Resource
from prewire.drill.provisioning import Provisioned
from responders.azure.session import AzureClients, error_code
from stacks.azure.locking import lock_policy


def provision_azure(graph: Graph, clients: AzureClients) -> Provisioned:
    done = Provisioned()
    for resource in graph:
        try:
            if resource.type == t.AZ_RESOURCE_GROUP:
                clients.resources.resource_groups.create_or_update(
                    str(resource.get("resourceGroupName")),
                    {"location": resource.get("location"), "tags": resource.get("tags") or {}},
                )
            elif resource.type == t.DYNAMIC_RESOURCE and resource.get("container_name"):
                lock_policy(
                    clients.storage,
                    str(resource.get("resource_group_name")),
                    str(resource.get("account_name")),
                    str(resource.get("container_name")),
                )
            else:
                body = arm_body(resource)
                if body is None:
                    continue
                payload = {k: v for k, v in body.items() if k not in ("type", "name", "scope")}
                _computed_by_azure(resource, payload)
                version = payload.pop("apiVersion")
                clients.resources.resources.begin_create_or_update_by_id(
                    str(resource.id), api_version=version, parameters=payload
                ).result()
        except HttpResponseError as error:
            done.not_created[resource.name] = error_code(error) or str(error.status_code)
            continue
        done.created.append(str(resource.id or resource.name))
    return done


# Values Azure computes on create that other resources of the stack refer to. The renderer
# predicted them (and wrote them into the references); the subscription is told to use the same.
COMPUTED_PROPERTIES = ("principalId", "clientId", "tenantId", "customerId")


def _computed_by_azure(resource: Resource, payload: dict[str, Any]) -> None:
    properties = payload.setdefault("properties", {})
    for key in COMPUTED_PROPERTIES:
        if key in resource.outputs and key not in resource.inputs:
            properties[key] = resource.outputs[key]
    identity = resource.outputs.get("identity")
    # Only an identity the program asked for: the render fills every computed output.
    asked = resource.inputs.get("identity")
    if asked and isinstance(identity, dict) and identity.get("principalId"):
        payload["identity"] = {**payload.get("identity", {}), **identity}
