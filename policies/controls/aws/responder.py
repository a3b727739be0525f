"""What the responders need: wired to findings, and the pre-flight only a deployed account shows."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

control(
    "AWS-RESP-001",
    "Responder function is wired to GuardDuty findings",
    S.MEDIUM,
    (E.EC2_VOLUMES, E.EC2_MEMORY, E.EC2_METADATA),
    "Evidence collected in the first minutes is the evidence that still exists.",
    "An EventBridge rule for GuardDuty findings targeting the responder function.",
    provided_by=(t.AWS_RESPONSE,),
    scope=ACCOUNT,
    baseline_output="aws.findingRuleArn",
)


# -- responder pre-flight (only observable in a deployed account) ----------------------------------
control(
    "AWS-RESP-002",
    "The responder role can perform every action the responders declare",
    S.HIGH,
    (E.EC2_VOLUMES, E.EC2_MEMORY, E.EC2_METADATA, E.CLOUDTRAIL, E.LAMBDA_VERSIONS),
    "A responder that lacks one permission fails halfway through an incident.",
    "Deploy the stack's generated responder policy; re-deploy after upgrading prewire.",
    provided_by=(t.AWS_IDENTITIES,),
    live_only=True,
)


control(
    "AWS-RESP-003",
    "Instances are reachable by SSM for memory capture",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "Memory can only be captured from instances whose SSM agent is online.",
    "Install and run the SSM agent; give instance roles AmazonSSMManagedInstanceCore; keep "
    "SSM endpoints reachable after isolation (prewire:aws.isolationSsmEndpointGroups).",
    live_only=True,
)


control(
    "AWS-RESP-004",
    "The memory tool is staged with its pinned SHA-256",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "capture-memory refuses a tool whose hash differs; a missing tool means no memory image.",
    "Upload the tool to the configured S3 location with a SHA-256 checksum and set "
    "prewire:aws.memoryToolSha256.",
    provided_by=(t.AWS_DISCOVERY,),
    live_only=True,
)


control(
    "AWS-RESP-005",
    "The forensic key lets the responder re-encrypt snapshot copies",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "Sharing snapshots with a forensic account needs a copy under a key that account can use.",
    "Keep the forensic key enabled, its policy delegating to IAM, and the responder's kms "
    "grants from the generated policy.",
    provided_by=(t.AWS_FORENSIC_KEY,),
    live_only=True,
)
