"""What the responders need: a rule that routes GuardDuty findings to them."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, graph_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph


@graph_rule("AWS-RESP-001")
def responder_wired(graph: Graph, context: Context) -> list[Verdict]:
    targeted = {str(target.get("rule")) for target in graph.of_type(t.EVENT_TARGET)}
    for rule in graph.of_type(t.EVENT_RULE):
        if (
            "aws.guardduty" in str(rule.get("eventPattern"))
            and {str(rule.outputs.get("name")), str(rule.get("name")), str(rule.id)} & targeted
        ):
            return [Verdict(rule, None, "GuardDuty findings reach a responder")]
    return [Verdict(None, "no EventBridge rule routes GuardDuty findings to a responder")]
