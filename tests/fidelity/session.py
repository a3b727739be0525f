"""The checkers active for the whole test session, and what they found.

tests/conftest.py installs `SessionCheck` as an observer of every local fake for the session, and
fails each test during which an exchange broke the official description (the violation is
reported on that test, with the field). Checkers are built lazily: a test run that starts no
fake pays nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from prewire.emulator.serving import Exchange


class Checker(Protocol):
    service: str
    checked: int

    def check(self, exchange: Exchange) -> list[str]: ...


def _factories() -> dict[str, Callable[[], Checker]]:
    from tests.fidelity.azure_models import AzureChecker
    from tests.fidelity.discovery import DiscoveryChecker
    from tests.fidelity.kubernetes import KubernetesChecker

    return {"gcp": DiscoveryChecker, "kubernetes": KubernetesChecker, "azure": AzureChecker}


@dataclass
class SessionCheck:
    violations: list[str] = field(default_factory=list)
    checkers: dict[str, Checker] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def checker(self, service: str) -> Checker | None:
        with self.lock:
            if service not in self.checkers:
                factory = _factories().get(service)
                if factory is None:
                    return None
                self.checkers[service] = factory()
            return self.checkers[service]

    def __call__(self, exchange: Exchange) -> None:
        checker = self.checker(exchange.service)
        if checker is None:
            return
        problems = checker.check(exchange)
        if problems:
            with self.lock:
                self.violations += [f"{exchange.service}: {p}" for p in problems]


SESSION = SessionCheck()
