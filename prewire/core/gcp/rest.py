"""GCP's REST representations and the pulumi-gcp resources they correspond to, both ways.

`prewire audit gcp` lists a project through Google's REST APIs and turns every item into the
resource a rendered program would hold (same type token, same input names), so the static rules
judge the live project. Drills on the local GCP fake go the other way: the rendered stack's
resources become the items the APIs would return once `pulumi up` created them.

Most kinds share their field names with pulumi-gcp's inputs (both follow the API); the
differences are written once here: buckets (`iamConfiguration`), firewalls (`denied` /
`IPProtocol`), subnetwork flow logs (`logConfig.enable`), GKE logging
(`loggingConfig.componentConfig`), custom roles (`includedPermissions`), and the project IAM
policy, which holds every audit config and binding of the project in one document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from prewire.core import tokens as t
from prewire.core.gcp.kinds import BY_TOKEN, COMPUTE, Json, RestKind, last_segment
from prewire.core.graph import Graph, Resource, whole_numbers


def as_resource(kind: RestKind, item: Json) -> Resource:
    """A listed item as the pulumi-gcp resource it corresponds to."""
    name = str(item.get("name") or item.get("id"))
    inputs: Json = {k: item[k] for k in kind.keys if k in item}
    if kind.id_input:
        inputs[kind.id_input] = last_segment(name)
    inputs.update(kind.to_inputs(item))
    identifier = name if kind.full_name else str(item.get("selfLink") or name)
    return Resource(
        urn=f"live::{kind.token}::{identifier}",
        type=kind.token,
        name=last_segment(name),
        inputs=inputs,
        outputs={"id": identifier, "name": name},
    )


def policy_resources(project: str, policy: Json) -> list[Resource]:
    """The project IAM policy as pulumi-gcp's audit configs and one member per binding."""
    found = [
        Resource(
            urn=f"live::{t.GCP_AUDIT_CONFIG}::{config.get('service')}",
            type=t.GCP_AUDIT_CONFIG,
            name=str(config.get("service")),
            inputs={"project": project, **config},
            outputs={"id": f"projects/{project}/auditConfigs/{config.get('service')}"},
        )
        for config in policy.get("auditConfigs") or []
    ]
    for binding in policy.get("bindings") or []:
        for member in binding.get("members") or []:
            inputs = {"project": project, "role": binding.get("role"), "member": member}
            if binding.get("condition"):
                inputs["condition"] = binding["condition"]
            key = f"{binding.get('role')}/{member}/{(binding.get('condition') or {}).get('title')}"
            found.append(
                Resource(
                    urn=f"live::{t.GCP_PROJECT_IAM_MEMBER}::{key}",
                    type=t.GCP_PROJECT_IAM_MEMBER,
                    name=key,
                    inputs=inputs,
                    outputs={"id": f"projects/{project} {binding.get('role')} {member}"},
                )
            )
    return found


def rest_item(kind: RestKind, resource: Resource) -> tuple[str, Json]:
    """(the collection it is listed in, the item) for a rendered resource, as GCP returns it."""
    inputs = {**resource.outputs, **resource.inputs}
    home = kind.home.format_map(_Fill(inputs))
    item: Json = {k: inputs[k] for k in kind.keys if k in inputs and inputs[k] is not None}
    short = str(inputs.get(kind.id_input) or resource.outputs.get("name") or resource.name)
    collection = re.sub(r"^.*?/(?=(projects|organizations)/)", "", home.split("?", 1)[0])
    item["name"] = f"{collection}/{short}" if kind.full_name else short
    if kind.service == "compute":
        item["selfLink"] = f"{COMPUTE}/{collection}/{short}"
    item.update(kind.to_rest(resource))
    return home, whole_numbers(item)


def iam_policy(resources: Iterable[Resource]) -> Json:
    """The project IAM policy the rendered audit configs and members add up to."""
    bindings: dict[str, Json] = {}
    audit_configs = []
    for resource in resources:
        if resource.type == t.GCP_AUDIT_CONFIG:
            audit_configs.append(
                {
                    "service": resource.get("service"),
                    "auditLogConfigs": list(resource.get("auditLogConfigs") or []),
                }
            )
        elif resource.type == t.GCP_PROJECT_IAM_MEMBER:
            condition = resource.get("condition")
            key = f"{resource.get('role')}|{(condition or {}).get('expression')}"
            binding = bindings.setdefault(key, {"role": resource.get("role"), "members": []})
            if condition:
                binding["condition"] = dict(condition)
            binding["members"].append(resource.get("member"))
    return {"version": 3, "bindings": list(bindings.values()), "auditConfigs": audit_configs}


def rendered_kinds(graph: Graph) -> list[tuple[RestKind, Resource]]:
    """The rendered resources of a listable kind, in registration order."""
    return [(BY_TOKEN[r.type], r) for r in graph if r.type in BY_TOKEN]


class _Fill(dict[str, Any]):
    def __init__(self, inputs: Json) -> None:
        located = ("region", "zone")
        super().__init__({k: last_segment(v) if k in located else v for k, v in inputs.items()})

    def __missing__(self, key: str) -> str:
        return "global" if key == "location" else f"<{key}>"
