"""The report model shared by drills and real cases, and how it is derived from a custody log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prewire.core.evidence.custody import Entry

SLOW_STEP_SECONDS = 30.0


@dataclass
class Row:
    group: str
    label: str
    started: datetime
    ended: datetime | None
    status: str
    detail: str = ""

    @property
    def seconds(self) -> float | None:
        return (self.ended - self.started).total_seconds() if self.ended else None


@dataclass
class Check:
    group: str
    name: str
    status: str  # held | failed | not-verifiable
    detail: str = ""
    lesson: str = ""


@dataclass
class ArtifactRow:
    group: str
    key: str
    sha256: str
    size: int
    description: str = ""


@dataclass
class Metrics:
    group: str
    detected_at: datetime | None
    contained_at: datetime | None
    first_evidence_at: datetime | None

    def _since_detection(self, moment: datetime | None) -> float | None:
        if moment is None or self.detected_at is None:
            return None
        return (moment - self.detected_at).total_seconds()

    @property
    def time_to_containment(self) -> float | None:
        return self._since_detection(self.contained_at)

    @property
    def time_to_evidence(self) -> float | None:
        return self._since_detection(self.first_evidence_at)


@dataclass
class Report:
    title: str
    subtitle: str
    generated_at: datetime
    ok: bool
    rows: list[Row] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    metrics: list[Metrics] = field(default_factory=list)
    artifacts: list[ArtifactRow] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["metrics"] = [
            {
                **asdict(m),
                "time_to_containment_seconds": m.time_to_containment,
                "time_to_evidence_seconds": m.time_to_evidence,
            }
            for m in self.metrics
        ]
        data["rows"] = [{**asdict(r), "seconds": r.seconds} for r in self.rows]
        return data


def entry_time(entry: Entry) -> datetime:
    return datetime.fromisoformat(entry.time.replace("Z", "+00:00"))


def custody_rows(group: str, entries: Sequence[Entry]) -> list[Row]:
    return [
        Row(group, f"{e.action} {e.target}", entry_time(e), None, e.status, e.message)
        for e in entries
    ]


def custody_metrics(group: str, entries: Sequence[Entry], detected_at: datetime | None) -> Metrics:
    # Responders mark the entry that cut the attacker off (isolation, quarantine, concurrency 0).
    contained = [entry_time(e) for e in entries if e.state.get("contained")]
    evidence = [
        entry_time(e)
        for e in entries
        if e.artifacts or (e.action == "snapshot-disks" and e.status == "changed")
    ]
    start = detected_at or (entry_time(entries[0]) if entries else None)
    return Metrics(group, start, min(contained, default=None), min(evidence, default=None))


def custody_artifacts(group: str, entries: Sequence[Entry]) -> list[ArtifactRow]:
    return [
        ArtifactRow(group, a.key, a.sha256, a.size, a.description)
        for e in entries
        for a in e.artifacts
    ]


def lessons(report: Report) -> list[str]:
    """Lessons learned, generated from failures, unverifiable checks and slow steps."""
    found: list[str] = []
    for check in report.checks:
        if check.status == "failed":
            found.append(
                f"[{check.group}] {check.name} did not hold ({check.detail}). {check.lesson}"
            )
        elif check.status == "not-verifiable":
            found.append(
                f"[{check.group}] {check.name} could not be verified on this target "
                f"({check.detail}); exercise it in a sandbox account."
            )
    for row in report.rows:
        if row.status == "failed" and row.detail:
            found.append(f"[{row.group}] step {row.label} failed: {row.detail}")
        elif row.status == "unsupported":
            found.append(
                f"[{row.group}] step {row.label} is not supported by this target: {row.detail}"
            )
    total = sum(r.seconds or 0.0 for r in report.rows)
    for row in report.rows:
        seconds = row.seconds or 0.0
        if seconds >= SLOW_STEP_SECONDS or (total and seconds > 0.4 * total and seconds > 5):
            found.append(
                f"[{row.group}] step {row.label} took {seconds:.1f}s of {total:.1f}s: "
                "prepare it ahead of an incident or run it in parallel."
            )
    for metric in report.metrics:
        if metric.contained_at is None and metric.detected_at is not None:
            found.append(
                f"[{metric.group}] nothing was contained: decide whether automatic "
                "containment (prewire:aws.autoContain) fits this kind of finding."
            )
    return found or ["Every expectation held and no step was slow."]
