"""The layout holds what docs/architecture.md promises: small modules, no import cycles, cloud
code in its cloud's folder, engines that find their clouds through the one discovery list, and
a core that imports no face.

Imports are read from the source (every `import` and `from ... import`, at any depth, type-only
ones included), so a cycle hidden inside a function still counts.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from prewire.core.clouds import FACE_PACKAGES, package_of
from prewire.core.vocabulary import Cloud

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("prewire", "stacks", "policies", "responders")
CLOUDS = {c.value for c in Cloud}
MAX_LINES = 400
# Folders whose modules are split per cloud (`<face>/<cloud>/...` or `<face>/<cloud>.py`).
FACES = (
    "policies.controls",
    "policies.static",
    "policies.live",
    "responders",
    "prewire.drill",
    "prewire.plan",
    "prewire.render",
    "prewire.emulator",
    "prewire.core",
    "stacks",
    "stacks.settings",
)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from a import b` imports the module a.b when there is one, else a name of a.
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name


GRAPH: dict[str, set[str]] = {m: set(_imported(m, p)) for m, p in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def _cloud_of(module: str) -> str | None:
    """The cloud a module belongs to: the first segment below its face that names a cloud."""
    return next((part for part in module.split(".")[1:] if part in CLOUDS), None)


def test_no_module_is_over_the_size_limit() -> None:
    sources = [*MODULES.values(), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in sources
        if "fixtures" not in p.parts and (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_no_import_cycle() -> None:
    assert _cycles() == []


def test_the_core_imports_no_face() -> None:
    outward = {m: sorted(t for t in GRAPH[m] if not t.startswith("prewire.core")) for m in GRAPH}
    assert {m: t for m, t in outward.items() if m.startswith("prewire.core") and t} == {}


def test_cloud_neutral_modules_import_no_cloud_module() -> None:
    """An engine finds its clouds through `prewire.core.clouds`, never by importing them.

    Allowed: the CLI (one command per cloud), the core's own per-cloud knowledge (ARM types,
    GCP REST kinds) read by any face, and the documented exceptions below.
    """
    exceptions = {
        # checkov reads Terraform (AWS rules) and ARM templates (the core's Azure export).
        "policies.terraform_rules",
        "policies.checkov_run",
        # The settings package re-exports each cloud's settings; readiness combines them.
        "stacks.settings",
        "stacks.settings.readiness",
    }
    neutral = [
        m
        for m in GRAPH
        if _cloud_of(m) is None
        and not m.startswith(("prewire.cli", "stacks.program", "stacks.__main__"))
        and m not in exceptions
    ]
    crossing = {m: sorted(t for t in GRAPH[m] if _cloud_of(t)) for m in neutral}
    assert {m: t for m, t in crossing.items() if t} == {}


def test_cloud_code_sits_in_its_clouds_folder() -> None:
    """No `aws_*` / `azure_*` / `gcp_*` module names: a cloud is a folder (or module) name."""
    prefixed = [m for m in MODULES if any(m.rpartition(".")[2].startswith(f"{c}_") for c in CLOUDS)]
    assert prefixed == []


@pytest.mark.parametrize("face", sorted(FACE_PACKAGES))
@pytest.mark.parametrize("cloud", list(Cloud))
def test_every_face_has_every_clouds_package(face: str, cloud: Cloud) -> None:
    module = importlib.import_module(package_of(face, cloud))
    assert module.__name__ in MODULES


def test_engines_register_clouds_they_do_not_import() -> None:
    """Loading a face imports the cloud packages; the engine's own modules never name them."""
    for face, template in FACE_PACKAGES.items():
        root = template.rpartition(".")[0]
        engine = [m for m in GRAPH if m.startswith(root) and _cloud_of(m) is None]
        named = defaultdict(list)
        for module in engine:
            for target in GRAPH[module]:
                if target.startswith(root + ".") and _cloud_of(target):
                    named[module].append(target)
        assert dict(named) == {}, face


def test_aws_controls_rules_and_checks_share_their_service_groups() -> None:
    """A control's definition, static rule and live check live in modules of the same name."""

    def groups(package: str) -> set[str]:
        return {p.stem for p in (ROOT / package.replace(".", "/")).glob("*.py")} - {"__init__"}

    controls = groups("policies.controls.aws")
    assert groups("policies.static.aws") == controls
    assert groups("policies.live.aws") - {"context", "audit"} == controls
