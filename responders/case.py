"""What every cloud's case context shares: options, the evidence store, the custody log, and
how an action saves an artifact. A cloud adds its clients and prewired resources."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from prewire.core.evidence.custody import Artifact, CustodyLog, Entry
from prewire.core.evidence.layout import EvidenceStore
from prewire.core.evidence.verify import record_interrupted
from responders.runtime import InputError, NullProgress, Progress, Step

T = TypeVar("T")
CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def check_case_id(case_id: str) -> str:
    # fullmatch, not match with `$`: `$` also matches before a trailing newline, and a case id
    # becomes object keys and custody entries.
    if not CASE_ID.fullmatch(case_id):
        raise InputError(f"case id {case_id!r}: use letters, digits, '.', '_' or '-' (max 128)")
    return case_id


@dataclass(frozen=True)
class Options:
    """Action options from the CLI or the playbook; each action reads the ones it knows."""

    confirm_release: bool = False
    share_with_account: str | None = None
    lock_days: int | None = None
    wait_for_snapshots: bool = True
    contain_function: bool = False
    window_start: datetime | None = None
    window_end: datetime | None = None
    memory_timeout_seconds: int = 1800
    poll_seconds: float = 15.0
    isolate_first: bool = False
    network_only: bool = False
    """isolate-instance: cut the network (and leave load balancing) only; evidence protection
    follows in its own step (a fleet's containment first, then its evidence)."""
    export_vhd: bool = True
    export_vmdk: bool = False
    """GCP snapshot-disks: also export each snapshot as a VMDK (Cloud Build, opt-in: slow, and
    it runs a temporary worker VM in the project)."""

    def window(self) -> tuple[datetime, datetime]:
        end = self.window_end or datetime.now(UTC)
        start = self.window_start or end - timedelta(hours=24)
        return start, end


RELEASE_CONSEQUENCES = {
    "release-instance": "reconnects a compromised instance",
    "release-identity": "gives a compromised identity its access back",
}


@dataclass(kw_only=True)
class CaseContext:
    case_id: str
    store: EvidenceStore | None
    custody: CustodyLog | None
    dry_run: bool = False
    options: Options = field(default_factory=Options)
    progress: Progress = field(default_factory=NullProgress)
    actor: str = "unknown"
    warnings: list[str] = field(default_factory=list)
    missing_store: str = "no evidence store"
    """The one-line error when an action needs the store and there is none."""
    _cache: dict[str, Any] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def pacing_note(self) -> str:
        """How long this run has waited for the cloud's rate limits (clouds that pace say)."""
        return ""

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """A per-run value computed once across all targets (e.g. target-group membership)."""
        with self._cache_lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[no-any-return]

    def remember(self, instances: dict[str, dict[str, Any]]) -> None:
        """Descriptions from this run's target validation, reused until the instance changes."""
        with self._cache_lock:
            self._cache.setdefault("instances", {}).update(instances)

    def remembered(self, instance_id: str) -> dict[str, Any] | None:
        with self._cache_lock:
            found = self._cache.get("instances", {}).get(instance_id)
            return dict(found) if found else None

    def remembered_ids(self) -> list[str]:
        with self._cache_lock:
            return list(self._cache.get("instances", {}))

    def forget(self, instance_id: str) -> None:
        """The instance changed: the next action describes it afresh."""
        with self._cache_lock:
            self._cache.get("instances", {}).pop(instance_id, None)
            self._cache.setdefault("stale", set()).add(instance_id)

    def stale_ids(self) -> list[str]:
        """Instances this run changed and has not described since (described together)."""
        with self._cache_lock:
            return sorted(self._cache.get("stale", set()))

    def refreshed(self, instance_ids: list[str]) -> None:
        with self._cache_lock:
            self._cache.setdefault("stale", set()).difference_update(instance_ids)

    def collected_before(self, action: str, target: str) -> str | None:
        """When this case already collected `action` for `target`, the time it did."""
        if self.custody is None:
            return None
        done = [
            e for e in self.custody.history(target=target, action=action) if e.status == "collected"
        ]
        return done[0].time if done else None

    def release_history(self, release: str, target: str, *undone: str) -> list[Entry]:
        """The custody entries of the `undone` actions on `target`, once `release` (which
        gives an attacker's foothold back) is confirmed with --yes; on every cloud."""
        if not self.options.confirm_release and not self.dry_run:
            raise InputError(f"{release} {RELEASE_CONSEQUENCES[release]}: confirm with --yes")
        if self.custody is None:
            raise InputError(f"release needs the case's custody log: {self.missing_store}")
        return [e for e in self.custody.history(target=target) if e.action in undone]

    def require_store(self) -> EvidenceStore:
        if self.store is None:
            raise InputError(self.missing_store)
        return self.store

    def save_json(self, step: Step, name: str, data: Any, description: str = "") -> None:
        text = json.dumps(data, indent=2, sort_keys=True, default=str)
        self.save(step, name, text.encode(), description)

    def save(self, step: Step, name: str, data: bytes, description: str = "") -> Artifact | None:
        """Store one artifact of this step (skipped under dry-run) and attach it to the step."""
        if self.dry_run:
            step.planned_artifact(name)
            return None
        store = self.require_store()
        artifact = store.put_bytes(
            store.artifact_key(self.case_id, step.target, step.action, name), data, description
        )
        step.artifacts.append(artifact)
        return artifact


def open_custody(
    case_id: str, store: EvidenceStore | None, actor: str, *, dry_run: bool
) -> CustodyLog | None:
    """The case's custody log (none under dry-run or without a store), with what an interrupted
    run left unrecorded recorded first, so a re-run continues an accounted-for case."""
    if store is None or dry_run:
        return None
    custody = CustodyLog(case_id, store, actor)
    record_interrupted(custody, store)
    return custody
