"""Lambda versions and the protection of published versions."""

from __future__ import annotations

from policies.catalogue import control
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

control(
    "AWS-LAMBDA-001",
    "Functions publish versions (no $LATEST-only functions)",
    S.MEDIUM,
    (E.LAMBDA_VERSIONS,),
    "Without versions, a redeploy overwrites the code that ran during the incident.",
    "Set publish=true and invoke through an alias.",
)


control(
    "AWS-LAMBDA-002",
    "No automation can delete function versions",
    S.HIGH,
    (E.LAMBDA_VERSIONS,),
    "Anti-forensics by automation: version clean-up jobs destroy the backdoored version.",
    "Remove lambda:DeleteFunction from roles used by functions and schedulers.",
)
