"""What the static rules read of a resource, traced, and checked against the provider SDKs.

A rule that reads a property the provider does not have never fires: `trail.get("kmsKeyID")`
is always None. Rather than trusting a hand-written list of what each rule reads, the rules run
over real rendered graphs with every resource's properties wrapped in mappings that record each
key read (nested keys included, as paths); each recorded path must then exist in the SDK class of
that resource's type token (`prewire.render.sdk`: the generated `@pulumi.getter` properties and
their types), descending through output types, lists and maps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from prewire.core.graph import Graph
from prewire.render import sdk

Path = tuple[str, ...]
# Keys every resource has in a rendered graph besides its SDK properties.
ALWAYS = frozenset({"id", "urn"})


@dataclass
class ReadLog:
    reads: dict[tuple[str, Path], set[str]] = field(default_factory=dict)
    """(type token, property path) -> the rules that read it."""
    rule: str = ""

    def record(self, token: str, path: Path) -> None:
        self.reads.setdefault((token, path), set()).add(self.rule)


class Recording(dict[str, Any]):
    """A resource's properties (or a nested object of them) that log each key read."""

    def __init__(self, data: Mapping[str, Any], token: str, path: Path, log: ReadLog) -> None:
        super().__init__(data)
        self._token, self._path, self._log = token, path, log

    def _wrap(self, key: str, value: Any) -> Any:
        return wrap(value, self._token, (*self._path, key), self._log)

    def _note(self, key: Any) -> None:
        if isinstance(key, str):
            self._log.record(self._token, (*self._path, key))

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return self._wrap(key, super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return self._wrap(key, super().get(key, default)) if key in self.keys() else default

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


class RecordingList(list[Any]):
    pass


def wrap(value: Any, token: str, path: Path, log: ReadLog) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, Recording):
        return Recording(value, token, path, log)
    if isinstance(value, list) and not isinstance(value, RecordingList):
        return RecordingList(wrap(v, token, (*path, "[]"), log) for v in value)
    return value


def traced(graph: Graph, log: ReadLog) -> Graph:
    """The graph with every resource's inputs and outputs recording their reads."""
    resources = [
        replace(
            r,
            inputs=Recording(r.inputs, r.type, (), log),
            outputs=Recording(r.outputs, r.type, (), log),
        )
        for r in graph
    ]
    return replace(graph, resources=resources)


@contextlib.contextmanager
def reading_as(log: ReadLog, rule: str) -> Iterator[None]:
    previous, log.rule = log.rule, rule
    try:
        yield
    finally:
        log.rule = previous


def checkable(token: str) -> bool:
    return token.split(":", 1)[0] in ("aws", "azure-native", "gcp")


def unknown_part(token: str, path: Path) -> str | None:
    """The first key of `path` the SDK class of `token` does not have, or None."""
    cls = sdk.resource_class(token)
    if cls is None:
        return f"{token}: no such resource in the installed provider SDK"
    if path[0] in ALWAYS:
        return None
    hint: Any = cls
    for index, key in enumerate(path):
        if key == "[]":
            if not sdk.is_sequence(hint):
                return None  # a scalar read as a list (as_list): nothing more to say
            hint = sdk.item_type(hint)
            continue
        if sdk.is_mapping(hint) or hint is Any or hint is dict:
            return None  # free-form keys (tags, labels, a JSON document)
        if not (isinstance(hint, type) and (hint is cls or sdk.is_output_type(hint))):
            return None  # a string read by key: JSON text, parsed by the rule
        # What the program set (the Args type) and what the provider reports (the class).
        args = sdk.args_class(hint)
        fields = {**(sdk.fields(args) if args else {}), **sdk.fields(hint)}
        if key not in fields:
            where = ".".join(path[: index + 1])
            return f"{token}: {where} is not a property ({hint.__name__} has no {key!r})"
        hint = fields[key]
    return None


def problems(log: ReadLog) -> list[str]:
    found = []
    for (token, path), rules in sorted(log.reads.items()):
        if not checkable(token):
            continue
        problem = unknown_part(token, path)
        if problem:
            found.append(f"{', '.join(sorted(rules))} reads {problem}")
    return found
