"""Per-program settings for `prewire check`: scope, retention and per-control overrides.

Read from `prewire.yaml` in the program's folder (or the file given with `--policy-config`). The
per-control part uses the CrossGuard policy-pack config vocabulary, so one file serves both
`prewire check --policy-config FILE` and `pulumi preview --policy-pack-config FILE`:

    scope: workload            # auto (default) | workload | account | all
    retentionDays: 400
    controls:                  # keys: control ids (AWS-LOGS-001) or policy names (aws-logs-001)
      AWS-LOGS-001: disabled   # disabled | advisory | mandatory
      AWS-LAMBDA-001:
        enforcementLevel: advisory
        reason: functions are rebuilt from the image registry, which keeps every digest

A CrossGuard config file (policy names at the top level, `all` for every policy) is read as is.
`advisory` findings are reported but never fail the run; `mandatory` ones fail it whatever
`--fail-on` says; `disabled` controls are not run, and the reason is printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from policies.catalogue import CONTROLS, load_catalogue
from policies.findings import Finding, Status, breaches
from policies.scope import CheckScope
from prewire.core.vocabulary import Severity

PROGRAM_SETTINGS_FILE = "prewire.yaml"


class CheckSettingsError(ValueError):
    """The settings file is malformed. The message is one line naming the file and the key."""


class Enforcement(StrEnum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Override:
    enforcement: Enforcement | None = None
    retention_days: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class CheckSettings:
    source: Path | None = None
    scope: CheckScope = CheckScope.AUTO
    retention_days: int | None = None
    overrides: Mapping[str, Override] = field(default_factory=dict)

    def of(self, control_id: str) -> Override:
        return self.overrides.get(control_id, Override())

    def disabled(self, control_id: str) -> bool:
        return self.of(control_id).enforcement is Enforcement.DISABLED

    def breaches(self, findings: Sequence[Finding], threshold: Severity) -> list[Finding]:
        """Failed findings that fail the run: mandatory ones, and those at or above the
        threshold unless the control was made advisory."""
        mandatory = [
            f
            for f in findings
            if f.status is Status.FAILED
            and self.of(f.control.id).enforcement is Enforcement.MANDATORY
        ]
        by_severity = [
            f for f in breaches(findings, threshold) if self.of(f.control.id).enforcement is None
        ]
        return mandatory + by_severity

    def notes(self) -> list[str]:
        where = self.source.name if self.source else "settings"
        return [
            f"{control_id} is {override.enforcement.value} by {where}"
            + (f": {override.reason}" if override.reason else "")
            for control_id, override in sorted(self.overrides.items())
            if override.enforcement in (Enforcement.DISABLED, Enforcement.ADVISORY)
        ]


def _control_id(key: str, path: Path) -> str:
    load_catalogue()
    wanted = key.upper()
    if wanted not in CONTROLS:
        raise CheckSettingsError(f"{path}: {key!r} is not a control id or policy name")
    return wanted


def _days(value: Any, path: Path, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CheckSettingsError(f"{path}: {key} must be a whole number of days, not {value!r}")
    return value


def _override(value: Any, path: Path, key: str) -> Override:
    if isinstance(value, str):
        value = {"enforcementLevel": value}
    if not isinstance(value, dict):
        raise CheckSettingsError(f"{path}: {key} must be an enforcement level or a mapping")
    unknown = set(value) - {"enforcementLevel", "enforcement", "retentionDays", "reason"}
    if unknown:
        raise CheckSettingsError(f"{path}: {key} has unknown settings {', '.join(sorted(unknown))}")
    level = value.get("enforcementLevel", value.get("enforcement"))
    try:
        enforcement = Enforcement(level) if level is not None else None
    except ValueError:
        choices = ", ".join(e.value for e in Enforcement)
        raise CheckSettingsError(
            f"{path}: {key}: enforcement {level!r} is not one of {choices}"
        ) from None
    retention = value.get("retentionDays")
    return Override(
        enforcement=enforcement,
        retention_days=_days(retention, path, f"{key}.retentionDays") if retention else None,
        reason=str(value.get("reason") or ""),
    )


def _scope(value: Any, path: Path) -> CheckScope:
    try:
        return CheckScope(value)
    except ValueError:
        choices = ", ".join(s.value for s in CheckScope)
        raise CheckSettingsError(f"{path}: scope {value!r} is not one of {choices}") from None


def parse(data: Any, path: Path) -> CheckSettings:
    if data is None:
        return CheckSettings(source=path)
    if not isinstance(data, dict):
        raise CheckSettingsError(f"{path}: expected a mapping at the top level")
    if "controls" in data or not any(k.lower() == "all" or "-" in k for k in data):
        unknown = set(data) - {"scope", "retentionDays", "controls"}
        if unknown:
            raise CheckSettingsError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
        controls = data.get("controls") or {}
        if not isinstance(controls, dict):
            raise CheckSettingsError(
                f"{path}: controls must be a mapping of control id to override"
            )
        return CheckSettings(
            source=path,
            scope=_scope(data.get("scope", "auto"), path),
            retention_days=_days(data["retentionDays"], path, "retentionDays")
            if data.get("retentionDays") is not None
            else None,
            overrides={_control_id(k, path): _override(v, path, k) for k, v in controls.items()},
        )
    return _crossguard(data, path)


def _crossguard(data: dict[str, Any], path: Path) -> CheckSettings:
    """A policy-pack config: `all` sets every policy, then each policy its own."""
    everything = _override(data.get("all", {}), path, "all") if "all" in data else Override()
    scope = CheckScope.AUTO
    overrides: dict[str, Override] = {}
    for key, value in data.items():
        if key == "all":
            continue
        if isinstance(value, dict) and "scope" in value:
            scope = _scope(value["scope"], path)
            value = {k: v for k, v in value.items() if k != "scope"}
        overrides[_control_id(key, path)] = _override(value, path, key)
    if everything.enforcement or everything.retention_days:
        load_catalogue()
        for control in CONTROLS:
            own = overrides.get(control.id, Override())
            overrides[control.id] = Override(
                own.enforcement or everything.enforcement,
                own.retention_days or everything.retention_days,
                own.reason or everything.reason,
            )
    return CheckSettings(source=path, scope=scope, overrides=overrides)


def load(path: Path) -> CheckSettings:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise CheckSettingsError(f"{path}: no such settings file") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise CheckSettingsError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'} ({type(error).__name__})"
        ) from None
    return parse(data, path)


def for_program(program_root: Path, explicit: Path | None) -> CheckSettings:
    """The settings given with --policy-config, else prewire.yaml in the program's folder."""
    if explicit is not None:
        return load(explicit)
    candidate = program_root / PROGRAM_SETTINGS_FILE
    return load(candidate) if candidate.exists() else CheckSettings()
