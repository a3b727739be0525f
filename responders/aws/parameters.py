"""Names of the SSM parameters the stack writes and the responders read at incident time.

Responders must find the prewired resources without Pulumi state, so the stack publishes
each one under `/prewire/aws/...`. This module is the single definition of those names.
"""

from __future__ import annotations

ROOT = "/prewire/aws"
# Session Manager reads its logging preferences from this document name (the stack owns it).
SESSION_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell"
EVIDENCE_BUCKET = f"{ROOT}/evidence-bucket"
AUDIT_BUCKET = f"{ROOT}/audit-bucket"
KMS_KEY_ARN = f"{ROOT}/kms-key-arn"
QUARANTINE_POLICY_ARN = f"{ROOT}/quarantine-policy-arn"
RESPONDER_ROLE_ARN = f"{ROOT}/responder-role-arn"
BREAK_GLASS_ROLE_ARN = f"{ROOT}/break-glass-role-arn"
TRAIL_ARN = f"{ROOT}/trail-arn"
ALERT_TOPIC_ARN = f"{ROOT}/alert-topic-arn"
RESPONDER_FUNCTION = f"{ROOT}/responder-function"
RETENTION_DAYS = f"{ROOT}/retention-days"
MEMORY_TOOL_URI = f"{ROOT}/memory-tool/s3-uri"
MEMORY_TOOL_SHA256 = f"{ROOT}/memory-tool/sha256"
FORENSIC_ACCOUNT_ID = f"{ROOT}/forensic-account-id"
ISOLATION_GROUP_PREFIX = f"{ROOT}/isolation-group/"
CONVERSION_GROUP_PREFIX = f"{ROOT}/conversion-group/"


def isolation_group(vpc_id: str) -> str:
    return f"{ISOLATION_GROUP_PREFIX}{vpc_id}"


def conversion_group(vpc_id: str) -> str:
    return f"{CONVERSION_GROUP_PREFIX}{vpc_id}"
