"""Export a case's snapshots as VMDK files into the evidence bucket, through Cloud Build.

GCP has no API that writes a disk out as a file. `gcloud compute images export` submits Google's
image export tool (`gce_vm_image_export`, a Daisy workflow) as a Cloud Build step: it boots a
temporary worker instance in the project, converts the disk with qemu-img and writes the file to
Cloud Storage. `snapshot-disks --export-vmdk` submits the same build with the case's snapshot as
source and the artifact's key in the evidence bucket as destination, waits for it (with progress),
then reads the file back to compute its SHA-256 (GCS checks the CRC32C of the download) and records
it like any artifact. The bucket's locked retention applies to it from the moment it is written.

Opt-in, because it is slow (tens of minutes per disk) and runs a temporary VM in the compromised
project; it needs the Cloud Build API and the roles Google's export requires for the Cloud Build
and Compute Engine service accounts (`prewire:gcp.vmdkExport` grants them; docs/responders.md).
A re-run finds an exported file by its key and does not export again.
"""

from __future__ import annotations

import time
from typing import Any

from responders.gcp.case import GcpCase
from responders.gcp.session import RestError
from responders.gcp.store import GcsEvidenceStore
from responders.runtime import ActionFailed, PlannedCall, Step

EXPORT_BUILDER = "gcr.io/compute-image-tools/gce_vm_image_export:release"
BUILD_TIMEOUT_SECONDS = 4 * 3600
FINISHED = {"SUCCESS", "FAILURE", "INTERNAL_ERROR", "TIMEOUT", "CANCELLED", "EXPIRED"}
MAX_POLL_SECONDS = 30.0


def export_request(snapshot: str, destination: str, case_id: str) -> dict[str, Any]:
    """The build `gcloud compute images export --export-format=vmdk` would submit, from a
    snapshot (`projects/<p>/global/snapshots/<name>`) to `gs://<bucket>/<key>`."""
    return {
        "steps": [
            {
                "name": EXPORT_BUILDER,
                "args": [
                    "-client_id=prewire",
                    f"-source_disk_snapshot={snapshot}",
                    f"-destination_uri={destination}",
                    "-format=vmdk",
                    f"-timeout={BUILD_TIMEOUT_SECONDS - 300}s",
                ],
            }
        ],
        "timeout": f"{BUILD_TIMEOUT_SECONDS}s",
        "tags": ["prewire", "vmdk-export", _tag(case_id)],
    }


def _tag(case_id: str) -> str:
    """Build tags allow letters, digits, `_`, `.` and `-`."""
    return "".join(c if c.isalnum() or c in "_.-" else "-" for c in f"case-{case_id}")[:128]


def export_vmdk(case: GcpCase, snapshot: dict[str, Any], step: Step) -> None:
    store = case.require_store()
    assert isinstance(store, GcsEvidenceStore)
    name = str(snapshot["name"])
    key = store.artifact_key(case.case_id, step.target, step.action, f"{name}.vmdk")
    if store.exists(key):
        step.note(f"{name} already exported")
        return
    path = f"projects/{case.clients.project}/global/snapshots/{name}"
    body = export_request(path, f"gs://{store.bucket}/{key}", case.case_id)
    if case.dry_run:
        step.planned.append(PlannedCall("cloudbuild", "builds.create", body))
        step.planned_artifact(key)
        return
    build = _call(case, "POST", f"/v1/projects/{case.clients.project}/builds", body)
    build_id = str(build.get("metadata", {}).get("build", {}).get("id") or "")
    if not build_id:
        raise ActionFailed(f"Cloud Build accepted no export build for {name}: {build}")
    finished = _wait(case, build_id, name)
    if finished.get("status") != "SUCCESS":
        detail = finished.get("statusDetail") or "see the build log"
        raise ActionFailed(
            f"VMDK export of {name} ended {finished.get('status')}: {detail} "
            f"({finished.get('logUrl', build_id)})"
        )
    size = int(snapshot.get("diskSizeGb") or 0) * 1024**3 or None
    task = case.progress.task(f"hash {name}.vmdk", total=size)
    artifact = store.adopt(key, f"VMDK of snapshot {name} (Cloud Build export)", task)
    task.update(artifact.size, artifact.size)
    step.artifacts.append(artifact)


def _wait(case: GcpCase, build_id: str, name: str) -> dict[str, Any]:
    task = case.progress.task(f"export {name} as VMDK (Cloud Build {build_id[:8]})")
    deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
    delay = case.clients.poll_seconds
    path = f"/v1/projects/{case.clients.project}/builds/{build_id}"
    while True:
        build = _call(case, "GET", path)
        status = str(build.get("status"))
        task.update(0, note=status)
        if status in FINISHED:
            return build
        if time.monotonic() > deadline:
            raise ActionFailed(f"VMDK export of {name} still {status} after the build's timeout")
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL_SECONDS)


def _call(
    case: GcpCase, method: str, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    try:
        return case.clients.call("cloudbuild", method, path, body=body)
    except RestError as error:
        raise ActionFailed(f"Cloud Build {method} {path}: {error.status} {error.text}") from error
