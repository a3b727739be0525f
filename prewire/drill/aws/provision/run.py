"""One provisioning run: the ids the account assigned so far, substituted into later inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prewire.drill.provisioning import Provisioned
from prewire.render import Resource
from responders.aws.session import AwsClients

Handler = Callable[["Run", Resource, dict[str, Any]], dict[str, str]]


"""Creates one resource from its (substituted) inputs; returns rendered value -> real value."""


def resource_id(resource: Resource) -> str:
    if resource.id is None:
        raise ValueError(f"{resource.label} has no rendered id")
    return resource.id


def tags_of(inputs: dict[str, Any]) -> dict[str, str]:
    return dict(inputs.get("tags") or {})


def tag_list(
    inputs: dict[str, Any], key: str = "Key", value: str = "Value"
) -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in tags_of(inputs).items()]


@dataclass
class Run:
    clients: AwsClients
    result: Provisioned

    def client(self, service: str) -> Any:
        """Untyped on purpose: this module translates rendered inputs into API parameters."""
        return self.clients.client(service)

    def substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            for rendered, real in self.result.replacements.items():
                if rendered in value:
                    value = value.replace(rendered, real)
            return value
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        return value
