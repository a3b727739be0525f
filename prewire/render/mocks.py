"""Pulumi mocks that make any program render offline with plausible values.

Resources get deterministic ids, names and ARNs derived from their logical names, so a rendered
graph is the same on every run; every other property the provider would compute gets a plausible
value typed from the provider SDK (see placeholders.py). The common invokes of each cloud are
computed from their arguments; any other invoke gets placeholder values of its result type and is
recorded as not modelled, so callers can say so instead of crashing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from prewire.core.graph import Invoke, strings_in
from prewire.render import sdk
from prewire.render.aws import ACCOUNT_ID, DEFAULT_REGION, AwsAccount, digest
from prewire.render.azure import SUBSCRIPTION_ID, azure_invoke, azure_resource
from prewire.render.gcp import PROJECT, gcp_invoke, gcp_resource
from prewire.render.placeholders import Naming, complete

STACK_REFERENCE = "pulumi:pulumi:StackReference"
DEFAULT_AZURE_LOCATION = "westeurope"
DEFAULT_GCP_REGION = "us-central1"

__all__ = ["ACCOUNT_ID", "DEFAULT_REGION", "RenderMocks"]


@dataclass
class RenderMocks(Mocks):
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    subscription_id: str = SUBSCRIPTION_ID
    gcp_project: str = PROJECT
    azure_location: str = DEFAULT_AZURE_LOCATION
    gcp_region: str = DEFAULT_GCP_REGION
    stack_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Outputs of referenced stacks, by stack name (from `--stack-outputs NAME=FILE`)."""
    invokes: list[Invoke] = field(default_factory=list)
    placeholders: set[str] = field(default_factory=set)

    @property
    def aws(self) -> AwsAccount:
        return AwsAccount(self.region, self.account_id)

    # -- resources ------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            stack = str(args.resource_id or args.inputs.get("name"))
            outputs = dict(self.stack_outputs.get(stack, {}))
            return stack, {"name": stack, "outputs": outputs, "secretOutputNames": []}
        outputs = dict(args.inputs)
        if args.resource_id:  # `.get()` of an existing resource, or an import
            physical = re.split(r"[/:]", str(args.resource_id).rstrip("/"))[-1]
            outputs.setdefault("name", physical)
            if args.typ.startswith("aws:s3/bucket"):
                outputs.setdefault("bucket", physical)
            self._identify(args.typ, args.name, outputs)
            resource_id = str(args.resource_id)
            outputs["id"] = resource_id
        else:
            resource_id = self._identify(args.typ, args.name, outputs)
        naming = Naming(
            token=args.typ,
            logical=args.name,
            physical=str(outputs.get("name") or outputs.get("bucket") or args.name),
            resource_id=resource_id,
            region=self._region_of(args.typ, outputs),
            account=self.account_id,
        )
        return resource_id, complete(sdk.resource_class(args.typ), outputs, naming)

    def _identify(self, token: str, name: str, outputs: dict[str, Any]) -> str:
        package = token.split(":", 1)[0]
        if package == "aws":
            return self.aws.resource(token, name, outputs)
        if package == "azure-native":
            return azure_resource(token, name, outputs, self.subscription_id)
        if package == "gcp":
            return gcp_resource(token, name, outputs, self.gcp_project)
        outputs.setdefault("name", name)
        return f"{name}-{digest(token + name, 8)}"

    def _region_of(self, token: str, outputs: dict[str, Any]) -> str:
        package = token.split(":", 1)[0]
        if package == "azure-native":
            return str(outputs.get("location") or self.azure_location)
        if package == "gcp":
            return str(outputs.get("region") or self.gcp_region)
        return self.region

    # -- invokes --------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        given = dict(args.args)
        answer = self._answer(args.token, given)
        self.invokes.append(Invoke(args.token, given, answered=answer is not None))
        function = args.token.rsplit(":", 1)[-1]
        naming = Naming(
            token=args.token,
            logical=function,
            physical=str(given.get("name") or f"{function}-{digest(repr(given), 6)}"),
            resource_id=str(given.get("id") or f"{function}-{digest(repr(given), 12)}"),
            region=self._region_of(args.token, given),
            account=self.account_id,
        )
        # Results echo the arguments they share a name with (getVpc(id=...) returns that id).
        result_type = sdk.invoke_result_class(args.token)
        if result_type is None:
            self.placeholders |= strings_in(answer or {}) - strings_in(given)
            return (answer or {}), []
        known = sdk.fields(result_type)
        echoed = {k: v for k, v in given.items() if k in known and v is not None}
        result = complete(result_type, {**echoed, **(answer or {})}, naming)
        self.placeholders |= strings_in(result) - strings_in(given)
        return result, []

    def _answer(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        package = token.split(":", 1)[0]
        if package == "aws":
            return self.aws.invoke(token, args)
        if package == "azure-native":
            return azure_invoke(token, args, self.subscription_id)
        if package == "gcp":
            return gcp_invoke(token, args, self.gcp_project, self.gcp_region)
        return None
