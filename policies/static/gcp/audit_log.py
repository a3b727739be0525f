"""Cloud Audit Logs: Data Access logs on, archived to a locked bucket, workload logs kept."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, as_list, graph_rule
from policies.static.gcp.common import (
    AUDIT_LOG_TYPES,
    MAX_LOG_BUCKET_DAYS,
    _last,
    _locked_for,
    _name,
)
from prewire.core import tokens as t
from prewire.core.graph import Graph


@graph_rule("GCP-LOG-001", t.GCP_AUDIT_CONFIG)
def data_access_logs(graph: Graph, context: Context) -> list[Verdict]:
    for config in graph.of_type(t.GCP_AUDIT_CONFIG):
        kinds = {str(c.get("logType")) for c in as_list(config.get("auditLogConfigs")) if c}
        if config.get("service") == "allServices" and kinds >= AUDIT_LOG_TYPES:
            exempt = [
                m
                for c in as_list(config.get("auditLogConfigs"))
                if c
                for m in as_list(c.get("exemptedMembers"))
            ]
            if exempt:
                return [
                    Verdict(
                        config, f"members exempted from audit logs: {', '.join(map(str, exempt))}"
                    )
                ]
            return [Verdict(config, None, "Data Access logs for all services")]
    return [
        Verdict(
            None, "no audit config turns on ADMIN_READ, DATA_READ and DATA_WRITE for allServices"
        )
    ]


@graph_rule("GCP-LOG-002", t.GCP_LOG_SINK, t.GCP_BUCKET)
def audit_logs_archived(graph: Graph, context: Context) -> list[Verdict]:
    buckets = {_name(b): b for b in graph.of_type(t.GCP_BUCKET)}
    problems = []
    for sink in graph.of_type(t.GCP_LOG_SINK):
        destination = str(sink.get("destination"))
        audit = not sink.get("filter") or "cloudaudit.googleapis.com" in str(sink.get("filter"))
        if (
            not destination.startswith("storage.googleapis.com/")
            or not audit
            or sink.get("disabled")
        ):
            continue
        bucket = buckets.get(destination.removeprefix("storage.googleapis.com/"))
        if bucket is None:
            problems.append(
                Verdict(sink, f"{sink.name}: bucket {destination} is not in the program")
            )
            continue
        problem = _locked_for(bucket, context.retention_days)
        if problem is None:
            return [
                Verdict(sink, None, f"{sink.name}: audit logs to locked bucket {_name(bucket)}")
            ]
        problems.append(Verdict(sink, f"{sink.name}: bucket {_name(bucket)}: {problem}"))
    return problems or [Verdict(None, "no sink exports Cloud Audit Logs to a bucket")]


@graph_rule("GCP-LOG-003", t.GCP_LOG_SINK, t.GCP_LOG_BUCKET)
def workload_logs_kept(graph: Graph, context: Context) -> list[Verdict]:
    required = min(context.retention_days, MAX_LOG_BUCKET_DAYS)
    buckets = {str(b.outputs.get("id") or b.id): b for b in graph.of_type(t.GCP_LOG_BUCKET)}
    for sink in graph.of_type(t.GCP_LOG_SINK):
        text = str(sink.get("filter") or "")
        if "cloud_run_revision" not in text or "k8s_container" not in text:
            continue
        destination = str(sink.get("destination")).removeprefix("logging.googleapis.com/")
        bucket = buckets.get(destination)
        if bucket is None:
            return [
                Verdict(
                    sink,
                    f"{sink.name}: destination {destination} is not a log bucket of the program",
                )
            ]
        if int(bucket.get("retentionDays") or 0) < required or bucket.get("locked") is not True:
            kept = f"kept {bucket.get('retentionDays')} days, locked {bucket.get('locked')}"
            wanted = f"required {required} days, locked"
            return [Verdict(bucket, f"{_last(destination)}: {kept}; {wanted}")]
        return [Verdict(sink, None, f"{sink.name}: Cloud Run and GKE logs to {_last(destination)}")]
    return [Verdict(None, "no sink routes Cloud Run and GKE logs to a locked log bucket")]
