"""Target validation: every instance of a run is parsed, checked to be in the case's project,
and read before anything changes; a bad one stops the run with one line (exit 2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from google.api_core import exceptions as google_errors

from prewire.core.vocabulary import Cloud
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.session import RestError
from responders.registry import target_validator
from responders.runtime import InputError

Ref = ids.InstanceRef | ids.ClusterRef | ids.ServiceRef
PARSERS: dict[str, Callable[[str], Ref]] = {
    "instance": ids.instance,
    "cluster": ids.cluster,
    "service": ids.service,
    "workload": ids.workload,
}


@target_validator(Cloud.GCP)
def validate(case: GcpCase, kind: str, targets: Sequence[str]) -> None:
    if kind not in PARSERS:
        raise InputError(f"no GCP responder takes a {kind}")
    for target in targets:
        ref = PARSERS[kind](target)
        if ref.project != case.clients.project:
            raise InputError(
                f"{target} is in project {ref.project}, not {case.clients.project} (pass --project)"
            )
        # Each description is read (so a missing target stops the run) and kept for the run.
        if isinstance(ref, ids.InstanceRef):
            describe(case, ref)
        elif isinstance(ref, ids.ClusterRef):
            describe_cluster(case, ref)
        else:
            describe_service(case, ref)


def describe_cluster(case: GcpCase, ref: ids.ClusterRef) -> dict[str, Any]:
    """The cluster as the Container API returns it (the REST API: its library is gRPC-first),
    cached for the run like instances."""
    return _described(case, "container", f"/v1/{ref}", str(ref))


def describe_service(case: GcpCase, ref: ids.ServiceRef) -> dict[str, Any]:
    """The Cloud Run service as the Run Admin API v2 returns it, cached for the run."""
    return _described(case, "run", f"/v2/{ref}", str(ref))


def _described(case: GcpCase, service: str, path: str, key: str) -> dict[str, Any]:
    cached = case.remembered(key)
    if cached is not None:
        return cached
    try:
        found = case.clients.call(service, "GET", path)
    except RestError as error:
        if error.status == 404:
            raise InputError(f"not found: {key}") from error
        if error.status == 403:
            raise InputError(f"not allowed to read {key}") from error
        raise
    case.remember({key: found})
    return found


def describe(case: GcpCase, ref: ids.InstanceRef) -> dict[str, Any]:
    """The instance as the Compute API returns it (JSON field names), cached for the run."""
    cached = case.remembered(str(ref))
    if cached is not None:
        return cached
    from google.cloud import compute_v1

    try:
        found = case.clients.instances.get(project=ref.project, zone=ref.zone, instance=ref.name)
    except google_errors.NotFound as error:
        raise InputError(f"not found: {ref}") from error
    except google_errors.Forbidden as error:
        raise InputError(f"not allowed to read {ref} ({error.message})") from error
    instance: dict[str, Any] = compute_v1.Instance.to_dict(found, preserving_proto_field_name=False)
    case.remember({str(ref): instance})
    return instance
