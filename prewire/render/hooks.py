"""What a rendered program sees of the outside world besides its resources: config and stack
references.

Under `pulumi up` a missing config key stops the program at the first `require`, and a stack
reference reads another stack's outputs from the backend. Offline, prewire lets the program run on:
a missing key gets a placeholder (so every missing key is found in one render and reported at
once), and a referenced stack's output that was not given with `--stack-outputs` gets a plausible
placeholder and a note. The patches are installed for one render and removed after it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.config import ConfigMissingError

from prewire.render.placeholders import Naming, text

REQUIRE_PLACEHOLDERS: dict[str, Callable[[str], Any]] = {
    "require": lambda key: f"prewire-missing-{key}",
    "require_bool": lambda key: False,
    "require_int": lambda key: 1,
    "require_float": lambda key: 1.0,
    "require_object": lambda key: {},
}
PLURAL_OUTPUT = re.compile(r"(Ids|Arns|Names|Urls|List)$")


@dataclass
class ProgramHooks:
    """What the program asked for that the render could not give."""

    missing_config: dict[str, bool] = field(default_factory=dict)
    """Full config keys the program requires but nobody set -> whether it asked for a secret."""
    unknown_stack_outputs: list[tuple[str, str]] = field(default_factory=list)
    placeholders: set[str] = field(default_factory=set)

    def notes(self) -> list[str]:
        return [
            f"stack reference {stack}: output {key!r} is not known offline; the program saw a "
            f"placeholder (pass --stack-outputs {stack}=FILE with `pulumi stack output --json`)"
            for stack, key in dict.fromkeys(self.unknown_stack_outputs)
        ]

    def stack_output(self, stack: str, key: str, outputs: dict[str, Any] | None) -> Any:
        if outputs and key in outputs:
            return outputs[key]
        self.unknown_stack_outputs.append((stack, key))
        naming = Naming("pulumi:pulumi:StackReference", stack, key, f"{stack}/{key}", "", "")
        match = PLURAL_OUTPUT.search(key)
        if match:
            singular = key[: match.start()] + match.group(1).removesuffix("s").replace("List", "")
            values = [text(singular or key, naming), text(f"{singular}2", naming)]
            self.placeholders.update(values)
            return values
        value = text(key, naming)
        self.placeholders.add(value)
        return value


def _requirer(
    hooks: ProgramHooks,
    original: Callable[..., Any],
    placeholder: Callable[[str], Any],
    secret: bool,
) -> Callable[..., Any]:
    def require(self: pulumi.Config, key: str) -> Any:
        try:
            return original(self, key)
        except ConfigMissingError:
            full = self.full_key(key)
            hooks.missing_config[full] = secret
            value = placeholder(full)
            return pulumi.Output.secret(value) if secret else value

    return require


def _stack_lookup(
    hooks: ProgramHooks,
) -> Callable[[pulumi.StackReference, Any], pulumi.Output[Any]]:
    def lookup(self: pulumi.StackReference, name: Any) -> pulumi.Output[Any]:
        return pulumi.Output.all(self.name, pulumi.Output.from_input(name), self.outputs).apply(
            lambda values: hooks.stack_output(str(values[0]), str(values[1]), values[2])
        )

    return lookup


@contextlib.contextmanager
def installed(hooks: ProgramHooks) -> Iterator[ProgramHooks]:
    patches: dict[tuple[type, str], Any] = {}
    for method, placeholder in REQUIRE_PLACEHOLDERS.items():
        for name, secret in ((method, False), (method.replace("require", "require_secret"), True)):
            original = getattr(pulumi.Config, name)
            patches[(pulumi.Config, name)] = original
            setattr(pulumi.Config, name, _requirer(hooks, original, placeholder, secret))
    lookup = _stack_lookup(hooks)
    for name in ("get_output", "require_output"):
        patches[(pulumi.StackReference, name)] = getattr(pulumi.StackReference, name)
        setattr(pulumi.StackReference, name, lookup)
    try:
        yield hooks
    finally:
        for (owner, name), original in patches.items():
            setattr(owner, name, original)
