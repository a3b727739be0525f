"""Target validation: every target of a run is checked before anything changes.

Targets are resource ids. Each must parse, be of the kind the action takes, belong to the
subscription the clients act in, and exist; a bad target stops the whole run with a one-line
`InputError` (exit 2, nothing changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from prewire.core.vocabulary import Cloud
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.session import error_code
from responders.registry import target_validator
from responders.runtime import InputError

VIRTUAL_MACHINE = "Microsoft.Compute/virtualMachines"
MANAGED_CLUSTER = "Microsoft.ContainerService/managedClusters"
# Any resource's Activity Log can be read, even after the resource was deleted: "resource"
# targets are only parsed, never looked up.
KINDS = {"instance": (VIRTUAL_MACHINE,), "cluster": (MANAGED_CLUSTER,), "resource": ()}


@target_validator(Cloud.AZURE)
def validate(case: AzureCase, kind: str, targets: Sequence[str]) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown target kind {kind!r} on Azure")
    allowed = KINDS[kind]
    parsed = []
    for target in targets:
        resource = ids.parse(target)
        if allowed and resource.kind.lower() not in {k.lower() for k in allowed}:
            raise InputError(f"{target} is a {resource.kind}, not a {' or '.join(allowed)}")
        if resource.subscription.lower() != case.clients.subscription_id.lower():
            raise InputError(
                f"{target} is in subscription {resource.subscription}, not "
                f"{case.clients.subscription_id} (pass --subscription)"
            )
        parsed.append((target, resource))
    found: dict[str, dict[str, Any]] = {}
    for target, resource in parsed:
        try:
            if kind == "instance":
                found[target] = describe_vm(case, resource)
            elif kind == "cluster":
                case.clients.containers.managed_clusters.get(resource.resource_group, resource.name)
        except ResourceNotFoundError as error:
            raise InputError(f"not found: {target}") from error
        except HttpResponseError as error:
            if error.status_code == 403:
                raise InputError(f"not allowed to read {target} ({error_code(error)})") from error
            raise
    case.remember(found)


def describe_vm(case: AzureCase, vm: ids.ResourceId) -> dict[str, Any]:
    """The VM as Azure's REST API returns it (camelCase), cached for the run."""
    cached = case.remembered(str(vm))
    if cached is not None:
        return cached
    rest = dict(case.clients.compute.virtual_machines.get(vm.resource_group, vm.name).as_dict())
    case.remember({str(vm): rest})
    return rest
