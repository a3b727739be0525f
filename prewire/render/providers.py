"""What the mocks ask of each cloud's Pulumi provider packages, and where the clouds register.

A rendered program may use every provider at once; the mocks hand each resource and invoke to
the provider of its package (`aws`, `azure-native`, `gcp`). Each cloud's module
(`prewire/render/<cloud>.py`) registers a factory that builds its provider from the stack
config (region, subscription, project), found through `prewire.core.clouds`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from prewire.core import clouds
from prewire.core.registry import PerCloud
from prewire.core.vocabulary import Cloud

ACCOUNT_NUMBER = "123456789012"
"""The account (AWS) and project number (GCP) of every render; ARNs of other kinds use it too."""


def digest(text: str, length: int) -> str:
    """A short, stable hex digest: the same program renders the same ids on every run."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


class Provider(Protocol):
    @property
    def packages(self) -> tuple[str, ...]:
        """The Pulumi packages this provider answers for, e.g. ("azure-native",)."""
        ...

    def resource(self, token: str, name: str, outputs: dict[str, Any]) -> str:
        """Fill `outputs` with what the cloud computes and return the resource id."""
        ...

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The invoke's result computed from its arguments, or None when it is not modelled."""
        ...

    def location_of(self, outputs: dict[str, Any]) -> str:
        """Where the resource (or invoke) is, for the names and ARNs derived from it."""
        ...


ProviderFactory = Callable[[Mapping[str, str]], Provider]
_FACTORIES: PerCloud[ProviderFactory] = PerCloud("render provider")


def provider(cloud: Cloud) -> Callable[[ProviderFactory], ProviderFactory]:
    """Register how `cloud`'s provider is built from the (namespaced) stack config."""
    return _FACTORIES.register(cloud)


def providers(config: Mapping[str, str]) -> dict[str, Provider]:
    """Every cloud's provider for this config, by Pulumi package name."""
    clouds.load("render")
    by_package: dict[str, Provider] = {}
    for factory in _FACTORIES.values():
        built = factory(config)
        by_package.update(dict.fromkeys(built.packages, built))
    return by_package


def setting(config: Mapping[str, str], *keys: str) -> str | None:
    """The first of `keys` set in the config, unquoted (stack files may quote values)."""
    for key in keys:
        value = config.get(key)
        if value:
            return value.strip('"')
    return None
