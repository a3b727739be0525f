"""Which optional dependencies ("extras") each command needs, and the one line that says so.

`pip install 'prewire[aws]'` pulls no Azure or Google SDK; a command that needs one says which
extra to install, exit 2, before it does anything. `make` installs every extra.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

CLOUD_MODULES = {
    "aws": ("boto3", "pulumi_aws"),
    "azure": ("azure.identity", "azure.mgmt.compute", "azure.storage.blob", "pulumi_azure_native"),
    "gcp": ("google.cloud.compute_v1", "google.cloud.storage", "pulumi_gcp"),
}
MODULES = {
    **CLOUD_MODULES,
    "drill": (*(m for modules in CLOUD_MODULES.values() for m in modules), "moto", "flask"),
}
MODULES["all"] = MODULES["drill"]
TOP_LEVEL = {
    "boto3": "aws",
    "botocore": "aws",
    "pulumi_aws": "aws",
    "azure": "azure",
    "pulumi_azure_native": "azure",
    "google": "gcp",
    "pulumi_gcp": "gcp",
    "moto": "drill",
}


def missing_module(extra: str) -> str | None:
    """The first module of `extra` that is not installed, or None."""
    for module in MODULES[extra]:
        try:
            if importlib.util.find_spec(module) is None:
                return module
        except ModuleNotFoundError:  # its parent package is missing
            return module
    return None


def install_hint(extra: str, module: str) -> str:
    return f"this needs the '{extra}' extra (no module {module}): pip install 'prewire[{extra}]'"


def extra_for(module: str | None) -> str | None:
    """The extra that provides `module` (a ModuleNotFoundError's name), if it is one of ours."""
    return TOP_LEVEL.get((module or "").split(".", 1)[0])


class MissingExtraError(Exception):
    """What `input_errors` turns into one line and exit 2."""


def needs(extra: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The command refuses to start, with the extra to install, when `extra` is missing.
    Goes under `input_errors`, which reports the refusal."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            module = missing_module(extra)
            if module is not None:
                raise MissingExtraError(install_hint(extra, module))
            return fn(*args, **kwargs)

        return wrapper

    return decorate
