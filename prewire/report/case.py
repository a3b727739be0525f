"""The incident report of a real case, from its custody log and evidence store."""

from __future__ import annotations

from datetime import UTC, datetime

from prewire.core.evidence.custody import Entry
from prewire.core.evidence.verify import VerifiableStore, verify_case
from prewire.report.model import (
    Check,
    Report,
    custody_artifacts,
    custody_metrics,
    custody_rows,
    lessons,
)


def case_report(
    store: VerifiableStore, case: str, entries: list[Entry], detected_at: datetime | None = None
) -> Report:
    verification = verify_case(store, case)
    actors = sorted({e.actor for e in entries})
    report = Report(
        title=f"Incident report: case {case}",
        subtitle=f"{len(entries)} custody entries by {', '.join(actors) or 'nobody'}",
        generated_at=datetime.now(UTC),
        ok=verification.ok and all(e.status != "failed" for e in entries),
        rows=custody_rows(case, entries),
        metrics=[custody_metrics(case, entries, detected_at)],
        artifacts=custody_artifacts(case, entries),
    )
    report.checks.append(
        Check(
            case,
            "evidence and custody chain verify",
            "held" if verification.ok else "failed",
            "; ".join(str(p) for p in verification.problems[:5]),
            "Investigate any altered, missing or extra object before relying on the evidence.",
        )
    )
    for entry in entries:
        if entry.status in ("failed", "unsupported"):
            report.checks.append(
                Check(
                    case,
                    f"{entry.action} on {entry.target}",
                    entry.status if entry.status == "failed" else "not-verifiable",
                    entry.message,
                    "Fix the cause and re-run the same case: "
                    "responders resume without redoing finished work.",
                )
            )
    report.lessons = lessons(report)
    report.notes.append(
        "Times are when each custody entry was written (UTC); detection is the "
        "first entry unless --detected-at is given."
    )
    return report
