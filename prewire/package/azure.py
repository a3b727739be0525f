"""Build the Azure responder Function's package: the code, its settings files and, unless told
otherwise, its dependencies vendored the way the Functions host loads them.

Run-from-package deployments get no remote build, so the dependencies go into
`.python_packages/lib/site-packages` for Linux x86-64 and Python 3.11 (the app's runtime),
installed by uv from the package index, pinned to the versions of the locked environment that
the tests ran against.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from pathlib import Path

import prewire
import responders
from responders.azure.function import FUNCTION_APP_SOURCE, HOST_JSON
from responders.runtime import InputError

FUNCTION_RUNTIME = "3.11"
FUNCTION_PLATFORM = "x86_64-manylinux_2_28"
SITE_PACKAGES = Path(".python_packages/lib/site-packages")
# What the Azure responders import (azure-functions only exists in the Functions host's image,
# so it is not in the locked environment and gets a floor instead of a pin).
AZURE_DISTRIBUTIONS = (
    "azure-identity",
    "azure-mgmt-authorization",
    "azure-mgmt-compute",
    "azure-mgmt-containerservice",
    "azure-mgmt-monitor",
    "azure-mgmt-network",
    "azure-mgmt-resource",
    "azure-mgmt-storage",
    "azure-monitor-query",
    "azure-storage-blob",
)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "emulator", "cli")


def requirements() -> list[str]:
    pinned = [f"{d}=={importlib.metadata.version(d)}" for d in AZURE_DISTRIBUTIONS]
    return ["azure-functions>=1.21", *pinned]


def build_azure_responder(destination: Path, *, dependencies: bool = True) -> Path:
    """Write the package into `destination` (replaced if it holds an earlier build)."""
    if destination.exists():
        if not (destination / "function_app.py").is_file():
            raise InputError(f"{destination} exists and is not a responder package: not replacing")
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for package in (responders, prewire):
        source = Path(package.__file__ or "").parent
        shutil.copytree(source, destination / source.name, ignore=IGNORED)
    (destination / "function_app.py").write_text(FUNCTION_APP_SOURCE)
    (destination / "host.json").write_text(json.dumps(HOST_JSON, indent=2) + "\n")
    (destination / "requirements.txt").write_text("\n".join(requirements()) + "\n")
    if dependencies:
        _vendor(destination)
    return destination


def _vendor(destination: Path) -> None:
    uv = shutil.which("uv") or str(Path(prewire.__file__).parents[1] / ".tools" / "bin" / "uv")
    if not Path(uv).exists() and shutil.which(uv) is None:
        raise InputError("uv not found: run `make setup` (it installs uv into .tools/)")
    command = [
        uv,
        "pip",
        "install",
        "--quiet",
        "--target",
        str(destination / SITE_PACKAGES),
        "--python-platform",
        FUNCTION_PLATFORM,
        "--python-version",
        FUNCTION_RUNTIME,
        "--only-binary",
        ":all:",
        "-r",
        str(destination / "requirements.txt"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"installing the Function's dependencies failed: {last}")


def is_vendored(package: Path) -> bool:
    return (package / SITE_PACKAGES).is_dir()
