"""Locate a Pulumi Python program, load its stack config, and render it under mocks.

Each render runs in a fresh `contextvars.Context`: Pulumi keeps its settings, config and root
stack in context variables, so renders do not leak into each other or into the caller.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import runpy
import sys
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import ROOT, SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from prewire.core.graph import Graph, Resource
from prewire.render import errors, hooks
from prewire.render.mocks import RenderMocks
from prewire.render.providers import providers


def _kit() -> tuple[Path, Path]:
    """The kit's own Pulumi project and its program folder. In a checkout: the repository
    (Pulumi.yaml, whose `main` is stacks/). Installed from a wheel, site-packages holds no
    Pulumi.yaml of ours: the wheel carries the project and example stack files inside the
    stacks package (pyproject's force-include), which is then both project and program."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "Pulumi.yaml").exists():
        return checkout, checkout / "stacks"
    return checkout / "stacks", checkout / "stacks"


KIT_ROOT, KIT_MAIN = _kit()


class ProgramError(Exception):
    """The program cannot be found, configured or rendered. The message is one clear line."""


def locate_program(path: Path | None = None) -> tuple[Path, str]:
    """Return (directory holding __main__.py, project name) for a program folder or project."""
    root = (path or KIT_ROOT).resolve()
    if not root.exists():
        raise ProgramError(f"{root}: no such directory")
    project_file = next(
        (root / n for n in ("Pulumi.yaml", "Pulumi.yml") if (root / n).exists()), None
    )
    project = root.name
    main_dir = root
    if project_file:
        spec = _read_yaml(project_file)
        project = str(spec.get("name") or project)
        runtime = spec.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime_name not in (None, "python"):
            raise ProgramError(f"{project_file}: runtime is {runtime_name!r}, only python renders")
        if root == KIT_ROOT:
            main_dir = KIT_MAIN  # the same project file serves a checkout and a wheel
        elif spec.get("main"):
            main_dir = (root / str(spec["main"])).resolve()
    if main_dir.is_file():
        main_dir = main_dir.parent
    if not (main_dir / "__main__.py").exists():
        raise ProgramError(f"{main_dir}: no __main__.py (not a Pulumi Python program)")
    return main_dir, project


def project_defaults(root: Path, project: str) -> dict[str, str]:
    """Defaults declared in Pulumi.yaml's `config:` section, as the Pulumi CLI would apply them."""
    project_file = root / "Pulumi.yaml"
    if not project_file.exists():
        return {}
    declared = _read_yaml(project_file).get("config") or {}
    defaults: dict[str, str] = {}
    for key, spec in declared.items():
        if isinstance(spec, dict) and "default" in spec:
            defaults[_qualify(str(key), project)] = _config_text(spec["default"])
        elif not isinstance(spec, dict):
            defaults[_qualify(str(key), project)] = _config_text(spec)
    return defaults


def load_stack_config(path: Path, project: str) -> dict[str, str]:
    """Read `Pulumi.<stack>.yaml`: values become the strings the Pulumi CLI passes to programs."""
    if not path.exists():
        raise ProgramError(f"{path}: no such stack config file")
    data = _read_yaml(path)
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ProgramError(f"{path}: 'config' must be a mapping")
    result: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = "[secret]"  # ciphertext cannot be decrypted offline
        result[_qualify(str(key), project)] = _config_text(value)
    return result


def parse_overrides(pairs: list[str], project: str) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ProgramError(f"--config {pair!r}: expected KEY=VALUE")
        overrides[_qualify(key, project)] = value
    return overrides


def render(
    program: Path | None = None,
    config: Mapping[str, str] | None = None,
    *,
    stack: str = "render",
    stack_outputs: Mapping[str, dict[str, Any]] | None = None,
) -> Graph:
    """Run the program under mocks and return everything it registered.

    `stack_outputs` are the outputs of the stacks the program references, by stack name."""
    main_dir, project = locate_program(program)
    root = (program or KIT_ROOT).resolve()
    full_config = {**project_defaults(root, project), **(config or {})}
    return contextvars.Context().run(
        _render, main_dir, root, project, stack, full_config, dict(stack_outputs or {})
    )


def render_function(
    build: Callable[[], object],
    config: Mapping[str, str] | None = None,
    *,
    project: str = "prewire",
    stack: str = "test",
) -> Graph:
    """Render whatever `build` declares (one component, in unit tests) under the same mocks."""
    return contextvars.Context().run(
        _render_with, lambda: _call(build), project, stack, dict(config or {}), {}
    )


def _call(build: Callable[[], object]) -> None:
    build()


class _RecordingMonitor(MockMonitor):
    """Keeps what the mock monitor drops: parent, dependencies and protection."""

    def __init__(self, mocks: RenderMocks) -> None:
        super().__init__(mocks)
        self.requests: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self.requests[response.urn] = request
        return response


def _render(
    main_dir: Path,
    program_root: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    stack_outputs: dict[str, dict[str, Any]],
) -> Graph:
    main = main_dir / "__main__.py"
    with _program_environment(main_dir):
        return _render_with(
            lambda: _run_main(main), project, stack, config, stack_outputs, (main_dir, program_root)
        )


def _render_with(
    program: Callable[[], None],
    project: str,
    stack: str,
    config: dict[str, str],
    stack_outputs: dict[str, dict[str, Any]],
    where: tuple[Path, Path] | None = None,
) -> Graph:
    """Run `program`; `where` is (folder of __main__.py, the program's root) for a user's
    program, whose failures become one-line ProgramErrors, or None for the kit's own tests."""
    mocks = RenderMocks(providers=providers(config), stack_outputs=stack_outputs)
    monitor = _RecordingMonitor(mocks)
    ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(config)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    failure: BaseException | None = None
    with hooks.installed(hooks.ProgramHooks()) as seen:
        try:
            _sync_await(run_pulumi_func(program))
        except Exception as error:  # judged below, once we know what config was missing
            failure = error
    label = str(where[0]) if where else "program"
    if seen.missing_config:  # the root cause of whatever failed after it
        raise ProgramError(errors.missing_config(Path(label), seen.missing_config, project))
    if isinstance(failure, pulumi.RunError):
        raise ProgramError(f"{label}: {failure}") from failure
    if failure is not None:
        if where is None:
            raise failure
        raise ProgramError(errors.summarise(where[0], where[1], failure)) from failure
    root = ROOT.get()
    exported = getattr(root, "outputs", {}) or {}
    outputs = _sync_await(pulumi.Output.from_input(exported).future()) or {}
    graph = _graph(monitor, mocks, config, _plain(outputs), where[1] if where else None)
    graph.notes.extend(seen.notes())
    graph.placeholders |= mocks.placeholders | seen.placeholders
    return graph


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def _graph(
    monitor: _RecordingMonitor,
    mocks: RenderMocks,
    config: dict[str, str],
    stack_outputs: dict[str, Any],
    program_root: Path | None = None,
) -> Graph:
    resources: list[Resource] = []
    for urn, registration in monitor.resources.items():
        request = monitor.requests.get(urn)
        if request is None:
            continue
        resources.append(
            Resource(
                urn=urn,
                type=request.type,
                name=request.name,
                inputs=_plain(pulumi.runtime.rpc.deserialize_properties(request.object)),
                outputs={**_plain(registration.state), "id": registration.id},
                parent=request.parent or None,
                dependencies=tuple(dict.fromkeys(request.dependencies)),
                property_dependencies={
                    k: tuple(v.urns) for k, v in request.propertyDependencies.items()
                },
                custom=bool(request.custom),
                protect=bool(request.protect),
                declared_at=_declared_at(request, program_root),
            )
        )
    return Graph(
        resources=resources,
        invokes=list(mocks.invokes),
        stack_outputs=stack_outputs,
        config=dict(config),
    )


def _declared_at(request: Any, program_root: Path | None) -> tuple[str, int] | None:
    """The innermost frame of the program's own code that led to the registration.

    Pulumi records the whole stack of each registration (innermost first). A resource a library
    component creates (prewire's own, say) is located at the program's line that created the
    component, which is the line a reviewer can change; outside a program, the innermost frame.
    """
    positions = [frame.pc for frame in request.stackTrace.frames if frame.pc.uri]
    if request.sourcePosition.uri:
        positions.insert(0, request.sourcePosition)
    for position in positions:
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(position.uri).path))
        if program_root is None or path.is_relative_to(program_root):
            return str(path), int(position.line)
    return None


@contextlib.contextmanager
def _program_environment(main_dir: Path) -> Iterator[None]:
    """What the Pulumi language host gives a program: its folder as cwd and on sys.path.

    Modules the program imports from its own folder are dropped afterwards, so rendering a second
    program with a same-named helper module does not reuse the first one's.
    """
    before = set(sys.modules)
    cwd = Path.cwd()
    sys.path.insert(0, str(main_dir))
    os.chdir(main_dir)
    try:
        yield
    finally:
        os.chdir(cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(main_dir))
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(str(main_dir)):
                del sys.modules[name]


def _plain(value: Any) -> Any:
    """Strip Pulumi wrappers (secrets, unknowns, resources) so rules see JSON-like data."""
    if isinstance(value, dict):
        if value.get("4dabf18193072939515e22adb298388d") == "1b47061264138c4ac30d75fd1eb44270":
            return _plain(value.get("value"))  # secret sentinel
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pulumi.AssetArchive):
        return {"$archive": {k: _plain(v) for k, v in value.assets.items()}}
    if isinstance(value, pulumi.FileArchive | pulumi.FileAsset):
        return {"$path": value.path}
    if isinstance(value, pulumi.StringAsset):
        return {"$text": value.text}
    return str(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ProgramError(f"{path}: not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(data, dict):
        raise ProgramError(f"{path}: expected a mapping at the top level")
    return data
