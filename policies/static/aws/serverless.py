"""Lambda versions and the protection of published versions."""

from __future__ import annotations

from policies.static.aws.common import _allowed_actions, _role_documents, _trusted_services
from policies.static.engine import Context, Verdict, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@resource_rule("AWS-LAMBDA-001", t.LAMBDA_FUNCTION)
def lambda_versions(function: Resource, context: Context) -> str | None:
    return None if function.get("publish") is True else "does not publish versions ($LATEST only)"


@graph_rule("AWS-LAMBDA-002")
def no_version_deletion(graph: Graph, context: Context) -> list[Verdict]:
    automation = {
        "lambda.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
    }
    verdicts = []
    for role in graph.of_type(t.IAM_ROLE):
        if not _trusted_services(role) & automation:
            continue
        deleting = [
            a
            for d in _role_documents(graph, role)
            for a in _allowed_actions(d)
            if a in ("lambda:DeleteFunction", "lambda:*", "*")
        ]
        verdicts.append(
            Verdict(
                role,
                f"automation role may delete function versions ({deleting[0]})"
                if deleting
                else None,
            )
        )
    return verdicts
