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
from prewire.render.placeholders import Naming, complete
from prewire.render.providers import ACCOUNT_NUMBER, Provider, digest

STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass
class RenderMocks(Mocks):
    providers: dict[str, Provider] = field(default_factory=dict)
    """Each cloud's provider by Pulumi package (`prewire.render.providers.providers(config)`)."""
    stack_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Outputs of referenced stacks, by stack name (from `--stack-outputs NAME=FILE`)."""
    invokes: list[Invoke] = field(default_factory=list)
    placeholders: set[str] = field(default_factory=set)

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
            account=ACCOUNT_NUMBER,
        )
        return resource_id, complete(sdk.resource_class(args.typ), outputs, naming)

    def _provider(self, token: str) -> Provider | None:
        return self.providers.get(token.split(":", 1)[0])

    def _identify(self, token: str, name: str, outputs: dict[str, Any]) -> str:
        provider = self._provider(token)
        if provider is not None:
            return provider.resource(token, name, outputs)
        outputs.setdefault("name", name)
        return f"{name}-{digest(token + name, 8)}"

    def _region_of(self, token: str, outputs: dict[str, Any]) -> str:
        # Resources of other packages (random, kubernetes, ...) are named in the AWS region.
        provider = self._provider(token) or self.providers.get("aws")
        return provider.location_of(outputs) if provider is not None else ""

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
            account=ACCOUNT_NUMBER,
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
        provider = self._provider(token)
        return provider.invoke(token, args) if provider is not None else None
