"""Live checks and how an audit runs them, on any cloud.

A live check is a plain function of a cloud's context returning verdicts. It shares its control
id (and so title, severity and remediation) with the static rule. An API the target does not
offer, or one the caller may not call, makes the verdict `unknown` with the reason (the context
says which errors mean that): never a false pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from policies.catalogue import get, load_catalogue
from policies.findings import Finding, Status
from prewire.core import clouds
from prewire.core.registry import Registry
from prewire.core.vocabulary import Cloud

log = logging.getLogger("prewire.audit")
T = TypeVar("T")


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


@dataclass(kw_only=True)
class CheckContext:
    """What every cloud's live context offers the engine."""

    retention_days: int = 365
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def once(self, key: str, build: Callable[[], T]) -> T:
        """Computed once per context (account and region, subscription), shared by checks."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[no-any-return]

    def location(self, account_wide: bool) -> dict[str, str]:
        raise NotImplementedError

    def explain(self, error: Exception) -> str | None:
        """Why a check could not decide, for errors that mean so; None re-raises."""
        return None


LiveCheck = Callable[[Any], list[LiveVerdict]]


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


def load_live_checks(cloud: Cloud | None = None) -> None:
    """Register the live checks of one cloud (each module pulls in its cloud's SDK), or of all."""
    load_catalogue()
    clouds.load("live", [cloud] if cloud else None)


def run_check(spec: LiveSpec, context: CheckContext) -> list[Finding]:
    control = get(spec.control_id)
    location = context.location(spec.account_wide)
    try:
        verdicts = spec.check(context)
    except Exception as error:
        reason = context.explain(error)
        if reason is None:
            raise
        verdicts = [unknown(None, reason)]
    return [
        Finding(control, v.status, v.resource, v.message, source="live", location=location)
        for v in verdicts
    ]


def specs_of(cloud: Cloud) -> list[LiveSpec]:
    load_live_checks(cloud)
    return [s for s in LIVE_CHECKS if get(s.control_id).cloud is cloud]
