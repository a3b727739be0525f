"""Systems Manager parameters and documents."""

from __future__ import annotations

from typing import Any

from prewire.drill.aws.provision.run import Run, tag_list
from prewire.render import Resource


def create_parameter(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ssm").put_parameter(
        Name=i["name"],
        Value=i["value"],
        Type=i["type"],
        Description=i.get("description", ""),
        Tags=tag_list(i),
    )
    return {}


def create_document(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ssm").create_document(
        Name=i["name"],
        Content=i["content"],
        DocumentType=i["documentType"],
        DocumentFormat=i["documentFormat"],
        Tags=tag_list(i),
    )
    return {}
