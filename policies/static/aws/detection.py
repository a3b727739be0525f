"""GuardDuty and AWS Config."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, graph_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph


@graph_rule("AWS-GUARDDUTY-001")
def guardduty_enabled(graph: Graph, context: Context) -> list[Verdict]:
    detectors = graph.of_type(t.GUARDDUTY_DETECTOR)
    if not detectors:
        return [Verdict(None, "no GuardDuty detector")]
    return [
        Verdict(d, None if d.get("enable") is not False else "detector is disabled")
        for d in detectors
    ]


@graph_rule("AWS-GUARDDUTY-002")
def guardduty_containers(graph: Graph, context: Context) -> list[Verdict]:
    enabled = {
        str(f.get("name"))
        for f in graph.of_type(t.GUARDDUTY_FEATURE)
        if f.get("status") == "ENABLED"
    }
    verdicts = []
    for detector in graph.of_type(t.GUARDDUTY_DETECTOR):
        missing = [
            f
            for f in ("EKS_AUDIT_LOGS", "RUNTIME_MONITORING")
            if f not in enabled
            and not (f == "RUNTIME_MONITORING" and "EKS_RUNTIME_MONITORING" in enabled)
        ]
        verdicts.append(
            Verdict(detector, f"features off: {', '.join(missing)}" if missing else None)
        )
    return verdicts


@graph_rule("AWS-CONFIG-001")
def config_recording(graph: Graph, context: Context) -> list[Verdict]:
    recorders = graph.of_type(t.CONFIG_RECORDER)
    if not recorders:
        return [Verdict(None, "no AWS Config recorder")]
    problems = []
    group = recorders[0].get("recordingGroup") or {}
    if group.get("allSupported") is not True:
        problems.append("does not record all supported resources")
    if not graph.of_type(t.CONFIG_DELIVERY_CHANNEL):
        problems.append("no delivery channel")
    if not [s for s in graph.of_type(t.CONFIG_RECORDER_STATUS) if s.get("isEnabled")]:
        problems.append("recording is not started")
    return [Verdict(recorders[0], "; ".join(problems) or None)]
