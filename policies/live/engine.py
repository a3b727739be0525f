"""Live checks and how an audit runs them.

A live check is a plain function of a `LiveContext` returning verdicts. It shares its control id
(and so title, severity and remediation) with the static rule. An API the target does not offer,
or one the caller may not call, makes the verdict `unknown` with the reason: never a false pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import botocore.exceptions

from policies.catalogue import get, load_catalogue
from policies.findings import Finding, Status
from prewire.registry import Registry
from responders.aws.discovery import Prewired
from responders.aws.session import AwsClients, error_code, is_api_gap

log = logging.getLogger("prewire.audit")
T = TypeVar("T")
DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
}


@dataclass(frozen=True)
class LiveVerdict:
    resource: str | None
    status: Status
    message: str


def passed(resource: str | None, message: str = "ok") -> LiveVerdict:
    return LiveVerdict(resource, Status.PASSED, message)


def failed(resource: str | None, message: str) -> LiveVerdict:
    return LiveVerdict(resource, Status.FAILED, message)


def unknown(resource: str | None, message: str) -> LiveVerdict:
    return LiveVerdict(resource, Status.UNKNOWN, message)


def verdict(resource: str | None, problem: str | None, ok: str = "ok") -> LiveVerdict:
    return passed(resource, ok) if problem is None else failed(resource, problem)


@dataclass
class LiveContext:
    clients: AwsClients
    account: str
    region: str
    prewired: Prewired
    retention_days: int = 365
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def once(self, key: str, build: Callable[[], T]) -> T:
        """Computed once per account and region, shared by the checks that need it."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[no-any-return]


LiveCheck = Callable[[LiveContext], list[LiveVerdict]]


@dataclass(frozen=True)
class LiveSpec:
    control_id: str
    check: LiveCheck
    account_wide: bool
    """True for checks of global resources (IAM, S3), run once per account, not per region."""


LIVE_CHECKS: Registry[str, LiveSpec] = Registry("live check", key=lambda s: s.control_id)


def live_check(control_id: str, *, account_wide: bool = False) -> Callable[[LiveCheck], LiveCheck]:
    def register(check: LiveCheck) -> LiveCheck:
        LIVE_CHECKS.add(LiveSpec(control_id, check, account_wide))
        return check

    return register


def load_live_checks() -> None:
    load_catalogue()
    import policies.live.aws  # noqa: F401


def run_check(spec: LiveSpec, context: LiveContext) -> list[Finding]:
    control = get(spec.control_id)
    location = {
        "account": context.account,
        "region": "global" if spec.account_wide else context.region,
    }
    try:
        verdicts = spec.check(context)
    except botocore.exceptions.ClientError as error:
        code = error_code(error)
        operation = error.operation_name
        if is_api_gap(error):
            reason = f"{operation} is not available on this target"
        elif code in DENIED:
            reason = f"not permitted to call {operation} ({code})"
        else:
            reason = f"{operation} failed: {code}"
        verdicts = [unknown(None, reason)]
    except botocore.exceptions.BotoCoreError as error:
        verdicts = [unknown(None, f"{type(error).__name__}: {error}")]
    return [
        Finding(control, v.status, v.resource, v.message, source="live", location=location)
        for v in verdicts
    ]
