"""Lambda functions (their zip archives) and their invoke permissions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from prewire.drill.aws.provision.run import Run, tags_of
from prewire.render import Resource


def _zip_archive(archive: dict[str, Any]) -> bytes:
    """Build the zip Pulumi would upload for an AssetArchive of folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for prefix, member in archive["$archive"].items():
            root = Path(member["$path"])
            for path in sorted(root.rglob("*.py")):
                zipped.write(path, f"{prefix}/{path.relative_to(root)}")
    return buffer.getvalue()


def create_function(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    params: dict[str, Any] = {
        "FunctionName": r.outputs["name"],
        "Runtime": i["runtime"],
        "Role": i["role"],
        "Handler": i["handler"],
        "Code": {"ZipFile": _zip_archive(i["code"])},
        "Timeout": int(i.get("timeout", 3)),
        "MemorySize": int(i.get("memorySize", 128)),
        "Environment": {"Variables": i.get("environment", {}).get("variables", {})},
        "Tags": tags_of(i),
        "Description": i.get("description", ""),
        "Publish": bool(i.get("publish")),
    }
    if i.get("deadLetterConfig"):
        params["DeadLetterConfig"] = {"TargetArn": i["deadLetterConfig"]["targetArn"]}
    created = run.client("lambda").create_function(**params)
    if i.get("reservedConcurrentExecutions") is not None:
        run.client("lambda").put_function_concurrency(
            FunctionName=r.outputs["name"],
            ReservedConcurrentExecutions=int(i["reservedConcurrentExecutions"]),
        )
    return {r.outputs["arn"]: created["FunctionArn"]}


def create_lambda_permission(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("lambda").add_permission(
        FunctionName=i["function"],
        StatementId=r.name,
        Action=i["action"],
        Principal=i["principal"],
        SourceArn=i["sourceArn"],
    )
    return {}
