"""The audit's HTML report: readiness as a heat map of evidence source x account/region."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence

from policies.findings import Finding, Status, summary
from prewire.core.vocabulary import Cloud, EvidenceSource, sources_of


def readiness_score(findings: Sequence[Finding]) -> float | None:
    judged = [f for f in findings if f.status is not Status.UNKNOWN]
    if not judged:
        return None
    return sum(f.status is Status.PASSED for f in judged) / len(judged)


def scope_of(finding: Finding) -> str:
    """What a finding's location is within: an AWS account, an Azure subscription, a project."""
    where = finding.location
    return where.get("account") or where.get("subscription") or where.get("project") or "?"


def cells(
    findings: Sequence[Finding],
) -> tuple[list[str], dict[tuple[EvidenceSource, str], list[Finding]]]:
    """Columns (scope/region) and, per source and column, the findings that bear on it.

    Account-wide findings (IAM, S3) bear on every region of their account; a subscription or
    project audited as a whole (Azure, GCP) is one `<scope>/global` column.
    """
    regions: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        region = finding.location.get("region", "global")
        regions[scope_of(finding)].update({region} if region != "global" else set())
    columns = sorted(
        f"{scope}/{r}" for scope, rs in regions.items() for r in (sorted(rs) or ["global"])
    )
    grid: dict[tuple[EvidenceSource, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        scope = scope_of(finding)
        region = finding.location.get("region", "global")
        targets = (
            [f"{scope}/{r}" for r in sorted(regions[scope]) or ["global"]]
            if region == "global"
            else [f"{scope}/{region}"]
        )
        for source in finding.control.sources:
            for column in targets:
                grid[(source, column)].append(finding)
    return columns, grid


def _colour(score: float | None) -> str:
    if score is None:
        return "#e0e0e0"
    red, green = int(220 * (1 - score)), int(180 * score)
    return f"rgb({red},{green},60)"


def _finding_row(finding: Finding) -> str:
    where = f"{scope_of(finding)}/{finding.location.get('region', '')}"
    cells = (
        finding.control.id,
        finding.control.severity.value,
        where,
        finding.resource or "-",
        finding.message,
    )
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def to_html(findings: Sequence[Finding], cloud: Cloud = Cloud.AWS) -> str:
    columns, grid = cells(findings)
    score = readiness_score(findings)
    counts = summary(findings)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for source in sources_of(cloud):
        tds = []
        for column in columns:
            here = grid.get((source, column), [])
            value = readiness_score(here)
            failed = [f"{f.control.id}: {f.message}" for f in here if f.status is Status.FAILED]
            title = html.escape(
                "\n".join(failed[:10])
                or ("no failed checks" if here else "no control covers this source")
            )
            text = "n/a" if value is None else f"{value:.0%}"
            tds.append(f'<td style="background:{_colour(value)}" title="{title}">{text}</td>')
        rows.append(f"<tr><th>{html.escape(source.label)}</th>{''.join(tds)}</tr>")
    failed_rows = "".join(_finding_row(f) for f in findings if f.status is not Status.PASSED)
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;"
        "text-align:left}td{color:#fff;text-align:center;font-weight:bold}"
        ".list td{color:#000;text-align:left;font-weight:normal}"
    )
    overall = "n/a" if score is None else f"{score:.0%}"
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>prewire audit</title>'
        f"<style>{style}</style></head><body><h1>Forensic readiness audit</h1>"
        f"<p>Readiness score: <b>{overall}</b> ({counts['passed']} passed, {counts['failed']} "
        f"failed, {counts['unknown']} unknown)</p>"
        f"<h2>Evidence source x scope/region</h2><table><tr><th></th>{head}</tr>"
        f"{''.join(rows)}</table>"
        f'<h2>Failed and unknown</h2><table class="list"><tr><th>control</th><th>severity</th>'
        f"<th>where</th><th>resource</th><th>message</th></tr>{failed_rows}</table>"
        f"</body></html>\n"
    )
