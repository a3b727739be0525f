"""What every AWS drill target shares: the live audit as the gate, evidence in S3."""

from __future__ import annotations

from typing import Any

from policies.live.aws.audit import audit_account
from policies.live.gate import GateResult
from prewire.core.vocabulary import Cloud
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.target import Target
from responders.aws.findings import evidence_root
from responders.aws.store import S3EvidenceStore


class AwsTarget(Target):
    cloud = Cloud.AWS
    routing_lesson = (
        "Check the rule's pattern and severity threshold (prewire:aws.minFindingSeverity)."
    )
    planning_lesson = (
        "Check the finding type mapping in responders/aws/findings.py and the stack's "
        "prewire:aws.autoContain setting."
    )

    def summary(self, detail: dict[str, Any]) -> str:
        return f"{detail['type']} (severity {detail['severity']})"

    def gate(self, account: PreparedAccount) -> GateResult:
        clients = account.clients
        return GateResult(audit_account(clients, [clients.region]).findings)

    def evidence_store(self, account: PreparedAccount, detail: dict[str, Any]) -> S3EvidenceStore:
        return S3EvidenceStore(account.clients, account.evidence_bucket, evidence_root(detail))
