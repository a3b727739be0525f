"""Markdown, HTML (with a timeline chart) and JSON renderings of a report."""

from __future__ import annotations

import html
import json
from pathlib import Path

from prewire.report.model import Report
from prewire.report.timeline import timeline_svg


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}s"


def to_markdown(report: Report) -> str:
    lines = [
        f"# {report.title}",
        "",
        report.subtitle,
        "",
        f"Result: **{'all expectations held' if report.ok else 'FAILED'}**  ",
        f"Generated: {report.generated_at.isoformat()}",
        "",
    ]
    if report.metrics:
        lines += [
            "## Time to containment and to evidence",
            "",
            "| case | detected | time to containment | time to first evidence |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {m.group} | {m.detected_at.isoformat() if m.detected_at else 'n/a'} | "
            f"{_seconds(m.time_to_containment)} | {_seconds(m.time_to_evidence)} |"
            for m in report.metrics
        ]
        lines.append("")
    if report.checks:
        lines += [
            "## Expectations",
            "",
            "| case | expectation | result | detail |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {c.group} | {c.name} | {c.status} | {c.detail.replace('|', '/')} |"
            for c in report.checks
        ]
        lines.append("")
    lines += [
        "## Timeline",
        "",
        "| time (UTC) | case | step | status | duration | detail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.started.strftime('%H:%M:%S.%f')[:-3]} | {r.group} | {r.label} | {r.status} | "
        f"{_seconds(r.seconds)} | {r.detail.replace('|', '/')[:200]} |"
        for r in report.rows
    ]
    lines += ["", "## Evidence collected", ""]
    if report.artifacts:
        lines += ["| case | object | SHA-256 | bytes |", "| --- | --- | --- | --- |"]
        lines += [f"| {a.group} | `{a.key}` | `{a.sha256}` | {a.size} |" for a in report.artifacts]
    else:
        lines.append("No artifacts.")
    lines += ["", "## Lessons learned", "", *[f"- {lesson}" for lesson in report.lessons]]
    if report.notes:
        lines += ["", "## Notes", "", *[f"- {note}" for note in report.notes]]
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    def table(headers: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    verdict = "all expectations held" if report.ok else "FAILED"
    sections = [
        f"<h1>{html.escape(report.title)}</h1><p>{html.escape(report.subtitle)}</p>",
        f'<p class="{"ok" if report.ok else "bad"}">Result: {verdict}</p>',
        "<h2>Timeline</h2>",
        timeline_svg(report.rows),
        "<h2>Time to containment and to evidence</h2>",
        table(
            ["case", "detected", "time to containment", "time to first evidence"],
            [
                [
                    m.group,
                    m.detected_at.isoformat() if m.detected_at else "n/a",
                    _seconds(m.time_to_containment),
                    _seconds(m.time_to_evidence),
                ]
                for m in report.metrics
            ],
        ),
        "<h2>Expectations</h2>",
        table(
            ["case", "expectation", "result", "detail"],
            [[c.group, c.name, c.status, c.detail] for c in report.checks],
        ),
        "<h2>Steps</h2>",
        table(
            ["time (UTC)", "case", "step", "status", "duration", "detail"],
            [
                [r.started.isoformat(), r.group, r.label, r.status, _seconds(r.seconds), r.detail]
                for r in report.rows
            ],
        ),
        "<h2>Evidence collected</h2>",
        table(
            ["case", "object", "SHA-256", "bytes"],
            [[a.group, a.key, a.sha256, str(a.size)] for a in report.artifacts],
        ),
        "<h2>Lessons learned</h2><ul>"
        + "".join(f"<li>{html.escape(lesson)}</li>" for lesson in report.lessons)
        + "</ul>",
    ]
    if report.notes:
        sections.append(
            "<h2>Notes</h2><ul>"
            + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
            + "</ul>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;font-size:13px;text-align:left;vertical-align:top}"
        ".ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}"
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(report.title)}'
        f"</title><style>{style}</style></head><body>{''.join(sections)}</body></html>\n"
    )


def write_all(report: Report, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        directory / "report.md": to_markdown(report),
        directory / "report.html": to_html(report),
        directory / "report.json": json.dumps(report.as_dict(), indent=2, default=str) + "\n",
    }
    for path, text in paths.items():
        path.write_text(text)
    return list(paths)
