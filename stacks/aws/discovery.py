"""Publishes every prewired resource under `/prewire/aws/...` in SSM Parameter Store, so the
responders find them at incident time without access to Pulumi state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.tags import component_tags


@dataclass
class DiscoveryArgs:
    parameters: Mapping[str, pulumi.Input[str]]


class Discovery(pulumi.ComponentResource):
    parameters: dict[str, aws.ssm.Parameter]

    def __init__(
        self, name: str, args: DiscoveryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_DISCOVERY, name, None, opts)
        self.parameters = {
            path: aws.ssm.Parameter(
                f"{name}{path.replace('/', '-')}",
                name=path,
                type="String",
                value=value,
                description="prewire discovery: read by responders at incident time",
                tags=component_tags(name),
                opts=child(self),
            )
            for path, value in sorted(args.parameters.items())
        }
        self.register_outputs({"parameters": sorted(self.parameters)})
