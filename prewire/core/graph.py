"""The rendered resource graph that static rules and exporters read.

Inputs and outputs use Pulumi's wire names (camelCase), which is what a CrossGuard policy sees
too, so a rule reads the same property names in both places.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prewire.core.tokens import same_kind


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom: bool = True
    protect: bool = False
    declared_at: tuple[str, int] | None = None
    """(file, line) of the program's code that declared the resource, as Pulumi records it."""

    @property
    def location(self) -> dict[str, str]:
        """Where findings on this resource point: the file and line that declared it."""
        if self.declared_at is None:
            return {}
        return {"file": self.declared_at[0], "line": str(self.declared_at[1])}

    @property
    def id(self) -> str | None:
        value = self.outputs.get("id")
        return str(value) if value is not None else None

    def get(self, key: str, default: Any = None) -> Any:
        """An input, falling back to what the (mocked) provider reported."""
        if key in self.inputs:
            return self.inputs[key]
        return self.outputs.get(key, default)

    @property
    def label(self) -> str:
        return f"{self.type}::{self.name}"


@dataclass(frozen=True)
class Invoke:
    token: str
    args: Mapping[str, Any]
    answered: bool


@dataclass
class Graph:
    resources: list[Resource]
    invokes: list[Invoke] = field(default_factory=list)
    stack_outputs: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What the render could not know (unknown stack outputs, unmodelled invokes)."""
    placeholders: set[str] = field(default_factory=set)
    """Strings the render made up for what a program looks up at deploy time (invoke results,
    unknown stack outputs): never to be matched against a real account's ids."""

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_type(self, *tokens: str) -> list[Resource]:
        wanted = {alias for token in tokens for alias in same_kind(token)}
        return [r for r in self.resources if r.type in wanted]

    def by_urn(self, urn: str) -> Resource | None:
        return self._index().get(urn)

    def children(self, parent: Resource) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def depends_on(self, resource: Resource) -> list[Resource]:
        index = self._index()
        return [index[u] for u in resource.dependencies if u in index]

    def referencing(self, target: Resource, *tokens: str) -> list[Resource]:
        """Resources of `tokens` whose inputs refer to `target` (by dependency or by value)."""
        keys = {
            v
            for v in (
                target.id,
                target.outputs.get("arn"),
                target.outputs.get("bucket"),
                target.outputs.get("name"),
            )
            if v
        }
        found = []
        for resource in self.of_type(*tokens):
            if target.urn in resource.dependencies or _mentions(resource.inputs, keys):
                found.append(resource)
        return found

    @property
    def unanswered_invokes(self) -> list[Invoke]:
        return [i for i in self.invokes if not i.answered]

    def _index(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}


def _mentions(value: Any, keys: set[str]) -> bool:
    if isinstance(value, str):
        return value in keys or any(value.startswith(f"{k}/") for k in keys if k.startswith("arn:"))
    if isinstance(value, Mapping):
        return any(_mentions(v, keys) for v in value.values())
    if isinstance(value, Iterable):
        return any(_mentions(v, keys) for v in value)
    return False


def strings_in(value: Any) -> set[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def whole_numbers(value: Any) -> Any:
    """Rendered numbers are floats (Pulumi's wire format has no integers); an API's integer
    fields want integers, so whole floats become ints on the way out of a rendered graph."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value
