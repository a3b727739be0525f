"""AWS's per-API request rate limits: token buckets per account and Region.

One table, read by the cloud model that imposes the buckets on the embedded AWS
(`prewire/emulator/aws/cloud_model.py`) and by the responders' own pacing (`pacing.py`), which
keeps a run under them instead of learning them from throttling answers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    capacity: float
    refill: float
    """Tokens per second."""
    source: str


EC2_THROTTLING = "EC2 developer guide, 'Request throttling for the Amazon EC2 API'"
ELB_THROTTLING = "ELB user guide, 'Request throttling for the ELB API'"


# (service, category) -> bucket figures. Every API has a bucket of its own with its category's
# figures (EC2 and ELB throttle per API, not per category).
LIMITS: dict[tuple[str, str], Limit] = {
    ("ec2", "non-mutating"): Limit(100, 20, f"documented: {EC2_THROTTLING} (DescribeHosts)"),
    ("ec2", "mutating"): Limit(
        200, 5, f"category default recalled from {EC2_THROTTLING}; not re-verified here"
    ),
    ("elasticloadbalancing", "non-mutating"): Limit(
        40, 10, f"documented: {ELB_THROTTLING} (Describe*)"
    ),
    ("elasticloadbalancing", "mutating"): Limit(
        20, 4, f"assumed: {ELB_THROTTLING} lists registration actions lower than reads"
    ),
    ("autoscaling", "any"): Limit(
        50, 10, "assumed: Amazon EC2 Auto Scaling does not publish its API buckets"
    ),
    ("iam", "any"): Limit(20, 10, "assumed: IAM does not publish per-API buckets"),
    ("sts", "any"): Limit(
        600, 600, "STS quotas: 600 requests per second per account and Region (documented)"
    ),
    ("s3", "read"): Limit(
        5500, 5500, "documented: S3 performance guidelines, 5,500 GET/HEAD per second per prefix"
    ),
    ("s3", "write"): Limit(
        3500, 3500, "documented: S3 performance guidelines, 3,500 PUT/POST/DELETE per prefix"
    ),
}
DEFAULT = Limit(50, 10, "assumed: a service whose buckets this model does not know")
NON_MUTATING = ("Describe", "Get", "List", "Search", "Lookup")


def category(service: str, action: str) -> str:
    if service == "s3":
        return "read" if action in ("GET", "HEAD") else "write"
    if service in ("ec2", "elasticloadbalancing"):
        return "non-mutating" if action.startswith(NON_MUTATING) else "mutating"
    return "any"


def limit_of(service: str, action: str) -> Limit:
    return LIMITS.get((service, category(service, action)), DEFAULT)


def bound_of(api: str, count: int, scale: float = 1.0) -> float:
    """The least seconds `count` calls of one API (`service:Action`) take from a full bucket."""
    service, _, action = api.partition(":")
    limit = limit_of(service, action)
    capacity, refill = limit.capacity * scale, limit.refill * scale
    return max(0.0, (count - capacity) / refill) if refill else 0.0
