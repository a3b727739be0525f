"""Where every face keeps each cloud's code: the one discovery list.

A face's engine (the control catalogue, the static rules, the live checks, the responders,
the drill scenarios, the plan) never imports a cloud module by name: it asks `load` for its
face, and the cloud package registers what it holds when imported (its `__init__` imports its
modules, which register through the face's registry). The cloud modules import their engine,
never the other way round, so no import cycle can form between them.

Adding a cloud is one line per face here plus its packages; adding a face is one entry.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from prewire.core.vocabulary import Cloud

# face -> the package holding one cloud's part of it ("{cloud}" is the Cloud value).
FACE_PACKAGES: dict[str, str] = {
    "controls": "policies.controls.{cloud}",
    "static": "policies.static.{cloud}",
    "live": "policies.live.{cloud}",
    "responders": "responders.{cloud}",
    "drill": "prewire.drill.{cloud}",
    "plan": "prewire.plan.{cloud}",
    "render": "prewire.render.{cloud}",
}


def package_of(face: str, cloud: Cloud) -> str:
    try:
        return FACE_PACKAGES[face].format(cloud=cloud.value)
    except KeyError:
        raise LookupError(f"unknown face {face!r}; known: {', '.join(FACE_PACKAGES)}") from None


def load(face: str, clouds: Iterable[Cloud] | None = None) -> None:
    """Import the face's package of each cloud (default: every cloud) so it registers itself.

    Importing is idempotent; a cloud's SDK is pulled in only when its package is loaded.
    """
    for cloud in Cloud if clouds is None else clouds:
        importlib.import_module(package_of(face, cloud))


def load_modules(package: str, path: Iterable[str]) -> None:
    """Import every module of a cloud's package (from its `__init__`), so each registers itself.

    For packages whose modules only register (controls, rules, checks): the order does not
    matter there, and a new module needs no line anywhere else.
    """
    for module in sorted(m.name for m in pkgutil.iter_modules(list(path))):
        importlib.import_module(f"{package}.{module}")
