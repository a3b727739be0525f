"""The report's timeline chart: one SVG, steps grouped by scenario (or case), on a time axis
with tick marks, coloured by outcome with a legend, full labels on hover.

Plain SVG with no script: the report is evidence and must open anywhere, offline, as written.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from prewire.report.model import Row

WIDTH = 980
LABEL_WIDTH = 300
BAR = 16
GAP = 4
AXIS = 22  # room for the tick labels above the chart
LABEL_CHARACTERS = 46


@dataclass(frozen=True)
class Outcome:
    colour: str
    meaning: str
    statuses: tuple[str, ...]


OUTCOMES = (
    Outcome("#2e7d32", "done, or held", ("ok", "held", "changed", "contained")),
    Outcome("#1565c0", "evidence collected", ("collected",)),
    Outcome("#9e9e9e", "nothing to change", ("unchanged", "skipped", "planned")),
    Outcome("#f9a825", "not available on this target", ("unsupported", "not-verifiable")),
    Outcome("#c62828", "failed", ("failed",)),
)
OTHER = Outcome("#616161", "other", ())


def outcome(status: str) -> Outcome:
    return next((o for o in OUTCOMES if status in o.statuses), OTHER)


def tick_step(span: float, most: int = 10) -> float:
    """A round interval (1, 2 or 5 times a power of ten) giving at most `most` ticks."""
    raw = max(span, 1e-3) / most
    power = 10.0 ** math.floor(math.log10(raw))
    return next(float(m * power) for m in (1, 2, 5, 10) if m * power >= raw)


def _tick_label(seconds: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{seconds:.{decimals}f} s"


def timeline_svg(rows: Sequence[Row]) -> str:
    timed = [r for r in rows if r.started]
    if not timed:
        return ""
    start = min(r.started for r in timed)
    end = max((r.ended or r.started) for r in timed)
    span = max((end - start).total_seconds(), 1e-3)
    plot = WIDTH - LABEL_WIDTH - 10

    def x_of(seconds: float) -> float:
        return LABEL_WIDTH + seconds / span * plot

    groups: dict[str, list[Row]] = {}
    for row in timed:  # in order of first appearance: the drill's own order
        groups.setdefault(row.group, []).append(row)
    lines = len(groups) + len(timed)
    chart_bottom = AXIS + lines * (BAR + GAP)
    height = chart_bottom + 30 + 18 * math.ceil(len(OUTCOMES) / 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        'role="img" aria-label="timeline" font-family="system-ui,sans-serif" font-size="11">'
    ]
    step = tick_step(span)
    for n in range(int(span / step) + 1):
        x = x_of(n * step)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{AXIS - 4}" x2="{x:.1f}" y2="{chart_bottom}" '
            'stroke="#ddd"/>'
            f'<text class="tick-label" x="{x:.1f}" y="{AXIS - 8}" text-anchor="middle">'
            f"{_tick_label(n * step, step)}</text>"
        )
    y = AXIS
    for group, members in groups.items():
        parts.append(
            f'<g class="group"><rect x="0" y="{y}" width="{WIDTH}" height="{BAR}" fill="#f2f2f2"/>'
            f'<text x="4" y="{y + 12}" font-weight="bold">{html.escape(group)}</text></g>'
        )
        y += BAR + GAP
        for row in members:
            parts.append(_bar(row, y, x_of((row.started - start).total_seconds()), span, plot))
            y += BAR + GAP
    parts.append(_legend(chart_bottom + 14, {r.status for r in timed}))
    parts.append("</svg>")
    return "\n".join(parts)


def _bar(row: Row, y: int, x: float, span: float, plot: float) -> str:
    full = f"{row.group}: {row.label} ({row.status}, {_duration(row.seconds)})"
    if row.detail:
        full += f" {row.detail}"
    label = (
        row.label if len(row.label) <= LABEL_CHARACTERS else row.label[: LABEL_CHARACTERS - 1] + "…"
    )
    width = max((row.seconds or 0.0) / span * plot, 3)
    title = f"<title>{html.escape(full)}</title>"
    return (
        f'<g class="step"><text x="14" y="{y + 12}">{html.escape(label)}{title}</text>'
        f'<rect class="step" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
        f'fill="{outcome(row.status).colour}">{title}</rect></g>'
    )


def _legend(y: int, statuses: set[str]) -> str:
    """One key per outcome present, naming the statuses it stands for."""
    by_outcome: dict[Outcome, list[str]] = {}
    for status in sorted(statuses):
        by_outcome.setdefault(outcome(status), []).append(status)
    parts = ['<g class="legend">']
    for index, item in enumerate(o for o in (*OUTCOMES, OTHER) if o in by_outcome):
        x, row_y = 4 + (index % 3) * 320, y + (index // 3) * 18
        text = html.escape(f"{item.meaning} ({', '.join(by_outcome[item])})")
        parts.append(
            f'<rect class="key" x="{x}" y="{row_y}" width="12" height="12" fill="{item.colour}"/>'
            f'<text x="{x + 18}" y="{row_y + 10}">{text}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _duration(seconds: float | None) -> str:
    return "instant" if seconds is None else f"{seconds:.2f} s"
