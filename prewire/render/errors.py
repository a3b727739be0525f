"""One clear line for a program that cannot be rendered: what failed, where in the program, and
what to do about it (config to pass, a package to install, a provider major version to match)."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path

# Modules that existed in one provider major version and not in the next: (module, attribute)
# -> what happened. Checked against the installed SDKs: each name is absent from them.
AWS_7 = "removed in pulumi-aws 7.0"
REMOVED = {
    ("pulumi_aws", "opsworks"): f"{AWS_7} (AWS retired OpsWorks); it exists in 6.x",
    ("pulumi_aws", "simpledb"): f"{AWS_7}; it exists in 6.x",
    ("pulumi_aws", "worklink"): f"{AWS_7} (AWS retired WorkLink); it exists in 6.x",
    ("pulumi_azure_native", "insights"): (
        "renamed in pulumi-azure-native 3.0: Application Insights is in applicationinsights, "
        "diagnostic settings and alerts in monitor"
    ),
}
CANNOT_IMPORT = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")
AZURE_VERSIONED = re.compile(r"^pulumi_azure_native\.(\w+)\.v\d{8}(preview)?")


# The provider SDKs prewire's extras bring (pyproject.toml's optional dependencies).
PROVIDER_EXTRAS = {"pulumi_aws": "aws", "pulumi_azure_native": "azure", "pulumi_gcp": "gcp"}


def distribution(module: str) -> str:
    """The PyPI distribution of an importable module: pulumi_azure_native -> pulumi-azure-native."""
    top = module.split(".", 1)[0]
    names = importlib.metadata.packages_distributions().get(top, [top])
    return re.sub(r"[-_.]+", "-", names[0]).lower()


def installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _requirement_lines(program_root: Path) -> Iterator[tuple[str, str]]:
    requirements = program_root / "requirements.txt"
    if requirements.exists():
        for line in requirements.read_text(errors="replace").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                yield line, requirements.name
    pyproject = program_root / "pyproject.toml"
    if pyproject.exists():
        try:
            data = tomllib.loads(pyproject.read_text(errors="replace"))
        except tomllib.TOMLDecodeError:
            return
        for line in data.get("project", {}).get("dependencies", []):
            yield str(line), pyproject.name


def expected_by_program(program_root: Path, dist: str) -> str | None:
    """What the program's requirements ask of `dist`: 'pulumi-aws>=6,<7 (requirements.txt)'."""
    wanted = dist.lower().replace("_", "-")
    for line, source in _requirement_lines(program_root):
        name = re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-")
        if name == wanted:
            return f"{line} ({source})"
    return None


def _versions(program_root: Path, module: str) -> str:
    dist = distribution(module)
    have = installed_version(dist)
    asked = expected_by_program(program_root, dist)
    parts = [f"installed {dist} {have}" if have else f"{dist} is not installed"]
    if asked:
        parts.append(f"the program asks for {asked}")
    return "; ".join(parts)


def module_problem(program_root: Path, error: BaseException) -> str | None:
    """A missing module or provider attribute, explained; None for other errors."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        missing = error.name
        versioned = AZURE_VERSIONED.match(missing)
        if versioned:
            return (
                f"module {missing} does not exist: pulumi-azure-native 3.0 removed the explicit "
                f"API-version modules, use pulumi_azure_native.{versioned.group(1)} "
                f"({_versions(program_root, missing)})"
            )
        top = missing.split(".", 1)[0]
        if installed_version(distribution(top)) and "." in missing:
            return f"module {missing} does not exist ({_versions(program_root, missing)})"
        extra = PROVIDER_EXTRAS.get(top)
        return (
            f"module {top} is not installed: the program needs the package {distribution(top)} "
            "in prewire's environment ("
            + (f"pip install 'prewire[{extra}]', or " if extra else "")
            + "install the program's requirements next to prewire)"
        )
    if isinstance(error, AttributeError) and getattr(error, "obj", None) is not None:
        owner = getattr(error.obj, "__name__", "")
        attribute = getattr(error, "name", "") or ""
        if isinstance(owner, str) and owner.startswith("pulumi_") and attribute:
            return _missing_name(program_root, owner, attribute)
    if isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError):
        match = CANNOT_IMPORT.search(str(error))
        if match and match.group(2).startswith("pulumi_"):
            name, owner = match.groups()
            return _missing_name(program_root, owner, name)
    return None


def _missing_name(program_root: Path, owner: str, name: str) -> str:
    reason = REMOVED.get((owner, name), "it may belong to another major version of the provider")
    return f"{owner}.{name} does not exist: {reason} ({_versions(program_root, owner)})"


def _program_frame(main_dir: Path, error: BaseException) -> str:
    """' (at file.py:LINE)' for the innermost frame in the program's own files, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        inside = [f for f in frames if f.filename.startswith(str(main_dir))]
        if inside:
            where = Path(inside[-1].filename).relative_to(main_dir)
            return f" (at {where}:{inside[-1].lineno})"
        current = current.__cause__ or current.__context__
    return ""


def summarise(main_dir: Path, program_root: Path, error: BaseException) -> str:
    where = _program_frame(main_dir, error)
    explained = module_problem(program_root, error)
    if explained:
        return f"{main_dir}: {explained}{where}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{main_dir}: program failed: {type(error).__name__}: {message}{where}"


def missing_config(main_dir: Path, missing: Mapping[str, bool], project: str) -> str:
    """Every config key the program requires and nobody set, with how to pass them."""
    keys = [f"{key} (secret)" if secret else key for key, secret in missing.items()]
    example = next(iter(missing))
    short = example.split(":", 1)[1] if example.startswith(f"{project}:") else example
    return (
        f"{main_dir}: missing config {', '.join(keys)}: pass each with "
        f"`prewire check --config {short}=VALUE` (repeatable) or a stack file with "
        "`--stack-config Pulumi.<stack>.yaml`"
    )
