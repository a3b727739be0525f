"""Security Command Center findings published to the responder's topic."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, graph_rule
from policies.static.gcp.common import _last
from prewire.core import tokens as t
from prewire.core.graph import Graph


@graph_rule(
    "GCP-DET-001", t.GCP_SCC_PROJECT_NOTIFICATION, t.GCP_SCC_ORG_NOTIFICATION, t.GCP_SUBSCRIPTION
)
def findings_published(graph: Graph, context: Context) -> list[Verdict]:
    subscribed = {str(s.get("topic")) for s in graph.of_type(t.GCP_SUBSCRIPTION)}
    configs = graph.of_type(t.GCP_SCC_PROJECT_NOTIFICATION) + graph.of_type(
        t.GCP_SCC_ORG_NOTIFICATION
    )
    for config in configs:
        text = str((config.get("streamingConfig") or {}).get("filter") or "")
        if "HIGH" not in text and "CRITICAL" not in text and text:
            continue
        if str(config.get("pubsubTopic")) not in subscribed:
            return [
                Verdict(config, f"{config.name}: nobody subscribes to {config.get('pubsubTopic')}")
            ]
        return [
            Verdict(config, None, f"{config.name}: findings to {_last(config.get('pubsubTopic'))}")
        ]
    return [Verdict(None, "no Security Command Center notification publishes high findings")]
