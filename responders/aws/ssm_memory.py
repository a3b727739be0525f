"""Memory capture through SSM Run Command with the staged, hash-pinned tool (e.g. AVML), sent
as prewire's own documents (`responders/aws/memory_documents.py`), never a free-form shell.

The host fetches the tool through a short-lived pre-signed URL, refuses it if its SHA-256 differs
from the pinned one, writes the image to local disk and reports the image's SHA-256. The image is
then uploaded through a pre-signed PUT that carries that checksum, so S3 itself refuses an upload
whose bytes differ from what the host hashed; the temporary file is removed only after S3 accepted
it. If SSM cannot reach the instance, nothing is sent and the instance is left untouched.

Limits: Linux instances (the staged tool must accept `--compress <output>` like AVML), and a
single PUT carries at most 5 GB of compressed image.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from prewire.core.evidence.custody import Artifact
from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.memory_documents import CAPTURE, UPLOAD, CommandDocument
from responders.aws.session import error_code, is_api_gap
from responders.aws.store import b64_sha256
from responders.registry import Scope, action, perms
from responders.runtime import ActionFailed, InputError, Status, Step, Unsupported

PUT_LIMIT = 5 * 1024**3
URL_SECONDS = 3600
IMAGE_LINE = re.compile(r"PREWIRE-IMAGE path=(\S+) sha256=([0-9a-f]{64}) size=(\d+)")


@dataclass(frozen=True)
class Image:
    path: str
    sha256: str
    size: int


def _reachable(case: AwsCase, instance_id: str) -> None:
    try:
        info = case.clients.ssm.describe_instance_information(
            Filters=[{"Key": "InstanceIds", "Values": [instance_id]}]
        )["InstanceInformationList"]
    except botocore.exceptions.ClientError as error:
        if is_api_gap(error):
            raise Unsupported(
                "SSM DescribeInstanceInformation is unavailable on this target: memory was not "
                "captured and the instance was left untouched"
            ) from error
        raise
    if not info or info[0].get("PingStatus") != "Online":
        status = info[0].get("PingStatus", "unknown") if info else "not registered"
        raise ActionFailed(
            f"SSM cannot reach {instance_id} ({status}): memory not captured, instance untouched"
        )
    if info[0].get("PlatformType") not in (None, "Linux"):
        raise Unsupported(
            f"{instance_id} runs {info[0]['PlatformType']}: capture-memory is Linux-only"
        )


def _run(
    case: AwsCase,
    instance_id: str,
    document: CommandDocument,
    values: dict[str, str],
    step: Step,
    label: str,
) -> str:
    ssm = case.clients.ssm
    sent = step.change(
        "ssm",
        ssm,
        "send_command",
        InstanceIds=[instance_id],
        DocumentName=document.name,
        Comment=f"prewire {case.case_id}: {label}"[:100],
        Parameters=document.parameters_for(values, case.options.memory_timeout_seconds),
    )
    command_id = sent["Command"]["CommandId"]
    task = case.progress.task(f"{label} on {instance_id}")
    deadline = time.monotonic() + case.options.memory_timeout_seconds
    try:
        while True:
            result: dict[str, Any] = {"Status": "Pending"}
            try:
                result = dict(
                    ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
                )
            except botocore.exceptions.ClientError as error:
                if error_code(error) != "InvocationDoesNotExist":
                    raise
            status = str(result["Status"])
            task.update(0, note=status)
            if status == "Success":
                return str(result.get("StandardOutputContent", ""))
            if status in ("Failed", "Cancelled", "TimedOut", "Undeliverable", "Terminated"):
                detail = str(
                    result.get("StandardErrorContent") or result.get("StandardOutputContent") or ""
                )
                raise ActionFailed(f"{label} {status}: {detail.strip()[-300:]}")
            if time.monotonic() > deadline:
                raise ActionFailed(
                    f"{label} still {status} after {case.options.memory_timeout_seconds}s"
                )
            time.sleep(case.options.poll_seconds)
    finally:
        task.close()


def parse_image(output: str) -> Image:
    match = IMAGE_LINE.search(output)
    if not match:
        raise ActionFailed(f"memory tool reported no image: {output.strip()[-300:]}")
    return Image(match.group(1), match.group(2), int(match.group(3)))


@action(
    Cloud.AWS,
    "capture-memory",
    summary="Run the pinned memory tool via SSM, upload the image with a host-computed checksum",
    target_kind="instance",
    permissions=(
        # DescribeInstanceInformation and GetCommandInvocation take no resource (IAM accepts
        # only `*`); SendCommand only prewire's own documents, to this account's instances.
        *perms("ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation"),
        *perms("ssm:SendCommand", scope=Scope.MEMORY_DOCUMENTS),
        *perms("s3:GetObject", scope=Scope.MEMORY_TOOL),
        *perms("kms:GenerateDataKey", scope=Scope.FORENSIC_KEY),
    ),
    destructive=False,
    produces=(EvidenceSource.EC2_MEMORY,),
)
def capture_memory(case: AwsCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"memory already captured at {earlier}")
        return Status.UNCHANGED
    tool_uri, tool_sha = case.prewired.memory_tool_uri, case.prewired.memory_tool_sha256
    store = case.require_store()
    if not tool_uri or not tool_sha:
        raise InputError(
            "no memory tool staged: set prewire:aws.memoryToolS3Uri and "
            "prewire:aws.memoryToolSha256 and deploy"
        )
    _reachable(case, target)
    bucket, _, key = tool_uri.removeprefix("s3://").partition("/")
    s3 = case.clients.s3
    tool_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=URL_SECONDS
    )
    if case.dry_run:
        step.planned_artifact("memory.lime")
        step.change(
            "ssm",
            case.clients.ssm,
            "send_command",
            InstanceIds=[target],
            DocumentName=CAPTURE.name,
            Parameters=CAPTURE.parameters_for(
                {"toolUrl": tool_url, "toolSha256": tool_sha}, case.options.memory_timeout_seconds
            ),
        )
        return Status.PLANNED
    image = parse_image(
        _run(
            case,
            target,
            CAPTURE,
            {"toolUrl": tool_url, "toolSha256": tool_sha},
            step,
            "memory capture",
        )
    )
    step.note(f"image {image.size} bytes, sha256 {image.sha256[:12]}…")
    if image.size > PUT_LIMIT:
        raise ActionFailed(
            f"image of {image.size} bytes exceeds the 5 GB single-upload limit; "
            f"it remains on the host at {image.path}"
        )
    object_key = store.artifact_key(case.case_id, target, step.action, "memory.lime")
    put_url = s3.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": store.bucket,
            "Key": object_key,
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": b64_sha256(image.sha256),
        },
        ExpiresIn=URL_SECONDS,
    )
    upload = {"imagePath": image.path, "putUrl": put_url, "checksum": b64_sha256(image.sha256)}
    _run(case, target, UPLOAD, upload, step, "memory upload")
    head = s3.head_object(Bucket=store.bucket, Key=object_key, ChecksumMode="ENABLED")
    stored = head.get("ChecksumSHA256")
    if stored != b64_sha256(image.sha256) or int(head["ContentLength"]) != image.size:
        raise ActionFailed(f"stored image does not match the host's hash (stored {stored})")
    step.artifacts.append(
        Artifact(
            object_key,
            image.sha256,
            image.size,
            "memory image (host-computed SHA-256, verified by S3)",
        )
    )
    return Status.COLLECTED
