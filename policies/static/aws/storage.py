"""Evidence stores (Object Lock, versioning, encryption, access), snapshot automation and vaults."""

from __future__ import annotations

from policies.static.aws.common import (
    _config_of,
    _evidence_bearing,
    _evidence_buckets,
    _lock,
    _per_store,
    lifecycle_problem,
    lock_problem,
)
from policies.static.engine import Context, Verdict, as_document, as_list, graph_rule, statements
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@graph_rule("AWS-STORE-001")
def locked_evidence_store(graph: Graph, context: Context) -> list[Verdict]:
    locked = [b for b in _evidence_buckets(graph) if _lock(graph, b)[0] == "COMPLIANCE"]
    if locked:
        return [Verdict(b, None, "evidence store locked in COMPLIANCE mode") for b in locked]
    return [
        Verdict(
            None,
            "no evidence bucket with Object Lock in COMPLIANCE mode "
            "(tag it prewire:purpose=evidence)",
        )
    ]


@graph_rule("AWS-STORE-002")
def stores_locked_for_retention(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        configs = _config_of(graph, bucket, t.S3_OBJECT_LOCK)
        return lock_problem(configs[0], context) if configs else "no Object Lock default retention"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-003")
def stores_versioned(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for config in _config_of(graph, bucket, t.S3_VERSIONING):
            if (config.get("versioningConfiguration") or {}).get("status") == "Enabled":
                return None
        if (bucket.get("versioning") or {}).get("enabled"):
            return None
        return "versioning is not enabled"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-004")
def stores_kms(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for config in _config_of(graph, bucket, t.S3_ENCRYPTION):
            for rule in as_list(config.get("rules")):
                default = rule.get("applyServerSideEncryptionByDefault") or {}
                if default.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get(
                    "kmsMasterKeyId"
                ):
                    return None
        return "no default SSE-KMS encryption with a customer-managed key"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-005")
def stores_private(graph: Graph, context: Context) -> list[Verdict]:
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

    def check(bucket: Resource) -> str | None:
        for block in _config_of(graph, bucket, t.S3_PUBLIC_ACCESS_BLOCK):
            missing = [s for s in settings if block.get(s) is not True]
            return f"public access block incomplete: {', '.join(missing)}" if missing else None
        return "no public access block"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-006")
def stores_tls_only(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for policy in _config_of(graph, bucket, t.S3_POLICY):
            for statement in statements(as_document(policy.get("policy"))):
                condition = statement.get("Condition") or {}
                secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
                if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
                    return None
        return "no bucket policy denying requests without TLS"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-007")
def no_early_expiry(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        problems = [
            lifecycle_problem(c, context) for c in _config_of(graph, bucket, t.S3_LIFECYCLE)
        ]
        return next((p for p in problems if p), None)

    return [Verdict(bucket, check(bucket)) for bucket in _evidence_bearing(graph)]


@graph_rule("AWS-STORE-008")
def stores_access_logged(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        return None if _config_of(graph, bucket, t.S3_LOGGING) else "no server access logging"

    return _per_store(graph, check)


@graph_rule("AWS-SNAP-001")
def snapshot_automation(graph: Graph, context: Context) -> list[Verdict]:
    selections = graph.of_type(t.BACKUP_SELECTION)
    policies = graph.of_type(t.DLM_POLICY)
    found = selections + policies
    if not found:
        return [Verdict(None, "no AWS Backup selection or DLM policy takes snapshots")]
    return [Verdict(r, None, "snapshots automated") for r in found]


@graph_rule("AWS-SNAP-002")
def vaults_locked(graph: Graph, context: Context) -> list[Verdict]:
    locks = {str(lock.get("backupVaultName")) for lock in graph.of_type(t.BACKUP_VAULT_LOCK)}
    return [
        Verdict(
            v,
            None
            if {str(v.outputs.get("name")), str(v.get("name")), str(v.id)} & locks
            else "no Vault Lock",
        )
        for v in graph.of_type(t.BACKUP_VAULT)
    ]
