"""Judging a cloud read back as a graph with the static rules (Azure, GCP).

Where a cloud's APIs can be turned into the resources a rendered program would hold (same type
tokens, same input names), the live check of a control is its static rule run over that graph:
a live finding and a static one about the same control cannot disagree by construction. A type
that could not be read makes every rule reading it `unknown`, never a false pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.live.engine import LiveVerdict, failed, passed, unknown
from policies.static.engine import NOT_APPLICABLE, RULES, Context, Verdict, load_rules
from prewire.core.graph import Graph


@dataclass
class LiveGraph:
    graph: Graph
    gaps: dict[str, str]
    """Type token -> why it could not be read (the rules reading it say `unknown`)."""


def judge(control_id: str, live: LiveGraph, retention_days: int) -> list[LiveVerdict]:
    load_rules()
    rule = RULES.get(control_id)
    missing = [live.gaps[token] for token in rule.tokens if token in live.gaps]
    if missing:
        return [unknown(None, missing[0])]
    context = Context(retention_days=retention_days)
    verdicts: list[Verdict] = []
    if rule.resource_check is not None:
        for resource in live.graph.of_type(*rule.tokens):
            outcome = rule.resource_check(resource, context)
            if outcome is NOT_APPLICABLE:
                continue
            verdicts.append(Verdict(resource, outcome if isinstance(outcome, str) else None))
    else:
        assert rule.graph_check is not None
        verdicts = rule.graph_check(live.graph, context)
    return [_live(v) for v in verdicts]


def _live(verdict: Verdict) -> LiveVerdict:
    resource = verdict.resource.id if verdict.resource else None
    if verdict.problem is None:
        return passed(resource, verdict.note or "ok")
    return failed(resource, verdict.problem)


def rule_ids(prefix: str) -> list[str]:
    """The controls with a static rule, of one cloud (by id prefix)."""
    load_rules()
    return sorted(r.control_id for r in RULES if r.control_id.startswith(prefix))
