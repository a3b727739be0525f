"""Target validation: every instance of a run is parsed, checked to be in the case's project,
and read before anything changes; a bad one stops the run with one line (exit 2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.api_core import exceptions as google_errors

from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.runtime import InputError


def validate(case: GcpCase, kind: str, targets: Sequence[str]) -> None:
    if kind not in ("instance", "cluster"):
        raise InputError(f"no GCP responder takes a {kind}")
    for target in targets:
        ref: ids.InstanceRef | ids.ClusterRef = (
            ids.instance(target) if kind == "instance" else ids.cluster(target)
        )
        if ref.project != case.clients.project:
            raise InputError(
                f"{target} is in project {ref.project}, not {case.clients.project} (pass --project)"
            )
        # Each description is read (so a missing target stops the run) and kept for the run.
        if isinstance(ref, ids.InstanceRef):
            describe(case, ref)
        else:
            describe_cluster(case, ref)


def describe_cluster(case: GcpCase, ref: ids.ClusterRef) -> dict[str, Any]:
    """The cluster as the Container API returns it (the REST API: its library is gRPC-first),
    cached for the run like instances."""
    cached = case.remembered(str(ref))
    if cached is not None:
        return cached
    session, base = case.clients.rest("container")
    response = session.get(f"{base}/v1/{ref}")
    if response.status_code == 404:
        raise InputError(f"not found: {ref}")
    if response.status_code == 403:
        raise InputError(f"not allowed to read {ref}")
    response.raise_for_status()
    cluster: dict[str, Any] = response.json()
    case.remember({str(ref): cluster})
    return cluster


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
