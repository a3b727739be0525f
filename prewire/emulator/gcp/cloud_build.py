"""Cloud Build in the GCP fake: `builds.create` and `builds.get` for Google's image export
step only (`gce_vm_image_export`, what `gcloud compute images export` submits).

A build is QUEUED when created, WORKING on its first read and finished on the second, as a real
export runs for minutes before it succeeds. A successful export writes the file into the fake's
Cloud Storage at the destination, created only if absent (Daisy's upload fails on a locked,
existing object too). The file is a stand-in, not a real VMDK: the sparse-extent magic `KDMV`,
then bytes derived from the snapshot's name and size (the fake holds no disk contents). An export
of a snapshot that does not exist fails the build as the workflow would.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from prewire.emulator.gcp.compute import ComputeState, GcpError
from prewire.emulator.gcp.storage import StorageState

Json = dict[str, Any]
EXPORT_BUILDER = "gcr.io/compute-image-tools/gce_vm_image_export:release"
STAND_IN_BYTES = 3 * 1024 * 1024 + 17  # more than one download chunk, not a multiple of one


def stand_in_vmdk(snapshot: str) -> bytes:
    seed = hashlib.sha256(snapshot.encode()).digest()
    body = (seed * (STAND_IN_BYTES // len(seed) + 1))[:STAND_IN_BYTES]
    return b"KDMV" + body


@dataclass
class CloudBuildState:
    project: str
    compute: ComputeState
    storage: StorageState
    builds: dict[str, Json] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    fail_with: str | None = None
    """Tests: finish every build FAILURE with this detail (a worker that could not boot ...)."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def create(self, body: Json) -> Json:
        steps = body.get("steps") or []
        if len(steps) != 1 or steps[0].get("name") != EXPORT_BUILDER:
            raise GcpError(501, "UNIMPLEMENTED", "the fake runs the image export step only")
        args = dict(
            str(a).lstrip("-").split("=", 1) for a in steps[0].get("args") or [] if "=" in str(a)
        )
        for required in ("source_disk_snapshot", "destination_uri"):
            if required not in args:
                raise GcpError(400, "INVALID_ARGUMENT", f"-{required} is required")
        build_id = f"b{next(self._ids):04d}-0000-4000-8000-000000000000"
        build: Json = {
            "id": build_id,
            "projectId": self.project,
            "status": "QUEUED",
            "steps": steps,
            "timeout": body.get("timeout", "600s"),
            "tags": list(body.get("tags") or []),
            "logUrl": f"https://console.cloud.google.com/cloud-build/builds/{build_id}",
            "_args": args,
        }
        with self.lock:
            self.builds[build_id] = build
        return {
            "name": f"operations/build/{self.project}/{build_id}",
            "metadata": {
                "@type": "type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata",
                "build": _public(build),
            },
        }

    def get(self, build_id: str) -> Json:
        with self.lock:
            build = self.builds.get(build_id)
            if build is None:
                raise GcpError(404, "NOT_FOUND", f"build {build_id} not found")
            self.reads[build_id] = self.reads.get(build_id, 0) + 1
            if build["status"] == "QUEUED":
                build["status"] = "WORKING"
            elif build["status"] == "WORKING":
                self._finish(build)
            return _public(build)

    def _finish(self, build: Json) -> None:
        if self.fail_with:
            build["status"], build["statusDetail"] = "FAILURE", self.fail_with
            return
        args = build["_args"]
        snapshot = str(args["source_disk_snapshot"]).rstrip("/").rsplit("/", 1)[-1]
        if snapshot not in self.compute.snapshots:
            build["status"], build["statusDetail"] = "FAILURE", f"snapshot {snapshot} not found"
            return
        bucket, _, key = str(args["destination_uri"]).removeprefix("gs://").partition("/")
        try:
            self.storage.write(
                bucket, {"name": key}, stand_in_vmdk(snapshot), {"ifGenerationMatch": "0"}
            )
        except GcpError as error:
            build["status"], build["statusDetail"] = "FAILURE", f"upload failed: {error}"
            return
        build["status"] = "SUCCESS"


def _public(build: Json) -> Json:
    return {k: v for k, v in build.items() if not k.startswith("_")}
