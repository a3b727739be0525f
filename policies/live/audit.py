"""What `prewire audit` reports on every cloud: each audited account's (subscription's,
project's) findings, and which of them make it not ready. Each cloud's audit is in
`policies/live/<cloud>/audit.py`.

AWS: regional checks run in every region; account-wide checks (IAM, S3) once per account. With
an organization role, every account of the AWS Organization is audited through that role.
Azure and GCP: every check runs once over the subscription or project, read back as a graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policies.catalogue import get
from policies.findings import Finding, Status

if TYPE_CHECKING:  # each cloud's SDK is loaded only when that cloud is audited
    pass


@dataclass
class AccountResult:
    account: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def not_ready(
    findings: Sequence[Finding], control_ids: Sequence[str] | None = None
) -> list[Finding]:
    """Failed findings (optionally only of some controls): what makes an account not ready."""
    return [
        f
        for f in findings
        if f.status is Status.FAILED and (control_ids is None or f.control.id in control_ids)
    ]


def control_title(control_id: str) -> str:
    return get(control_id).title
