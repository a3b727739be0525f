from __future__ import annotations

import json
from typing import Any

import pytest

from prewire.core import tokens as t
from prewire.render import Graph, Resource, render


@pytest.fixture(scope="session")
def example_graph(example_aws_config: dict[str, str]) -> Graph:
    """The kit's whole program (stacks/__main__.py via runpy) rendered with the example config."""
    return render(None, example_aws_config, stack="example-aws")


def only(graph: Graph, token: str, name_part: str = "") -> Resource:
    found = [r for r in graph.of_type(token) if name_part in r.name]
    assert len(found) == 1, f"{token} {name_part!r}: {[r.name for r in found]}"
    return found[0]


def generated_policies(graph: Graph, *kinds: str) -> list[Resource]:
    """The policies generated from the responders' declarations: `responder` (containment, on
    the responder and break-glass roles) and `release` (break-glass only); both by default."""
    return [
        r
        for r in graph.of_type(t.IAM_POLICY)
        if any(f"identities-{kind}-" in r.name for kind in kinds or ("responder", "release"))
    ]


def document(resource: Resource, key: str = "policy") -> Any:
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def statement(doc: Any, sid: str) -> Any:
    matches = [s for s in doc["Statement"] if s.get("Sid") == sid]
    assert matches, f"no statement {sid} in {[s.get('Sid') for s in doc['Statement']]}"
    return matches[0]
