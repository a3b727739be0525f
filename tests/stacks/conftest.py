from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.render import Graph, Resource, render


@pytest.fixture(scope="session")
def example_graph(example_aws_config: dict[str, str]) -> Graph:
    """The kit's whole program (stacks/__main__.py via runpy) rendered with the example config."""
    return render(None, example_aws_config, stack="example-aws")


def only(graph: Graph, token: str, name_part: str = "") -> Resource:
    found = [r for r in graph.of_type(token) if name_part in r.name]
    assert len(found) == 1, f"{token} {name_part!r}: {[r.name for r in found]}"
    return found[0]


def document(resource: Resource, key: str = "policy") -> Any:
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def statement(doc: Any, sid: str) -> Any:
    matches = [s for s in doc["Statement"] if s.get("Sid") == sid]
    assert matches, f"no statement {sid} in {[s.get('Sid') for s in doc['Statement']]}"
    return matches[0]
