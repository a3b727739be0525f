"""Evidence buckets (retention lock, private, versioned) and the snapshot schedule."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, graph_rule
from policies.static.gcp.common import _is_store, _locked_for, _name
from prewire.core import tokens as t
from prewire.core.graph import Graph


@graph_rule("GCP-STORE-001", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_locked(graph: Graph, context: Context) -> list[Verdict]:
    stores = [b for b in graph.of_type(t.GCP_BUCKET) if _is_store(b, graph)]
    if not stores:
        return [Verdict(None, "no audit or evidence bucket")]
    return [
        Verdict(b, problem, "" if problem else f"{_name(b)}: locked")
        for b in stores
        for problem in [_locked_for(b, context.retention_days)]
    ]


@graph_rule("GCP-STORE-002", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_private(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for bucket in (b for b in graph.of_type(t.GCP_BUCKET) if _is_store(b, graph)):
        problems = []
        if bucket.get("uniformBucketLevelAccess") is not True:
            problems.append("object ACLs allowed (no uniform bucket-level access)")
        if bucket.get("publicAccessPrevention") != "enforced":
            problems.append("public access prevention not enforced")
        verdicts.append(Verdict(bucket, "; ".join(problems) or None, f"{_name(bucket)}: private"))
    return verdicts


@graph_rule("GCP-STORE-003", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_versioned(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(
            b,
            None if (b.get("versioning") or {}).get("enabled") is True else "versioning off",
            f"{_name(b)}: versioned",
        )
        for b in graph.of_type(t.GCP_BUCKET)
        if _is_store(b, graph)
    ]


@graph_rule("GCP-SNAP-001", t.GCP_RESOURCE_POLICY, t.DYNAMIC_RESOURCE)
def snapshot_schedule(graph: Graph, context: Context) -> list[Verdict]:
    attached = [d for d in graph.of_type(t.DYNAMIC_RESOURCE) if d.get("label_key")]
    for policy in graph.of_type(t.GCP_RESOURCE_POLICY):
        schedule = policy.get("snapshotSchedulePolicy") or {}
        if not schedule:
            continue
        retention = schedule.get("retentionPolicy") or {}
        if retention.get("onSourceDiskDelete") != "KEEP_AUTO_SNAPSHOTS":
            return [Verdict(policy, f"{_name(policy)}: snapshots are deleted with their disk")]
        if not attached:
            return [Verdict(policy, f"{_name(policy)}: attached to no disks by label")]
        return [
            Verdict(
                policy, None, f"{_name(policy)}: daily, by label {attached[0].get('label_key')}"
            )
        ]
    return [Verdict(None, "no snapshot schedule")]
