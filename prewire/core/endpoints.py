"""Endpoints the SDKs are pointed at."""

from __future__ import annotations

from urllib.parse import urlparse

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def is_loopback(url: str | None) -> bool:
    """A local emulator or fake (prewire's sandbox, a test): no cloud account signs in there."""
    return bool(url) and urlparse(url).hostname in LOOPBACK_HOSTS
