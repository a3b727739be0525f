"""The report's timeline chart, read back as SVG: ticks on a round interval, steps grouped under
their scenario in the drill's order, every status in the legend, full labels on hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from prewire.report.model import Row
from prewire.report.timeline import OUTCOMES, outcome, tick_step, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def row(group: str, label: str, start: float, seconds: float | None, status: str) -> Row:
    ended = T0 + timedelta(seconds=start + seconds) if seconds is not None else None
    return Row(group, label, T0 + timedelta(seconds=start), ended, status)


ROWS = [
    row("aws target", "provision the readiness stack", 0, 3.5, "ok"),
    row("ec2-compromise", "isolate-instance i-0123456789abcdef0", 4, 0.4, "changed"),
    row(
        "ec2-compromise", "capture-memory i-0123456789abcdef0 " + "x" * 60, 4.5, None, "unsupported"
    ),
    row("aws target", "finish", 9, 1.5, "ok"),
    row("gce-compromise", "snapshot-disks projects/p/zones/z/instances/web", 5, 2, "collected"),
    row("gce-compromise", "something new", 6, 1, "surprising"),
]


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    return ET.fromstring(timeline_svg(ROWS))


@pytest.mark.parametrize(
    "span, step", [(10.5, 2.0), (0.42, 0.05), (95, 10.0), (1.0, 0.1), (600, 100.0)]
)
def test_ticks_are_round_and_at_most_ten(span: float, step: float) -> None:
    assert tick_step(span) == pytest.approx(step)
    assert span / tick_step(span) <= 10


def test_the_axis_has_ticks_from_zero_past_the_end(svg: ET.Element) -> None:
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick-label"]
    assert labels == ["0 s", "2 s", "4 s", "6 s", "8 s", "10 s"]  # the span is 10.5 s
    xs = [float(t.get("x1", "0")) for t in svg.iter(f"{SVG}line") if t.get("class") == "tick"]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_steps_are_grouped_under_their_scenario_in_order(svg: ET.Element) -> None:
    lines = []
    for element in svg:
        if element.get("class") == "group":
            lines.append(("group", element.find(f"{SVG}text").text))  # type: ignore[union-attr]
        elif element.get("class") == "step":
            lines.append(("step", element.find(f"{SVG}rect/{SVG}title").text))  # type: ignore[union-attr]
    groups = [text for kind, text in lines if kind == "group"]
    assert groups == ["aws target", "ec2-compromise", "gce-compromise"]
    # Under each header, exactly its own steps: the later "finish" joins the aws target's group.
    current = None
    for kind, text in lines:
        if kind == "group":
            current = text
        else:
            assert str(text).startswith(f"{current}: ")
    assert sum(kind == "step" for kind, _ in lines) == len(ROWS)


def test_hover_shows_the_whole_label_where_the_text_is_cut(svg: ET.Element) -> None:
    long_label = ROWS[2].label
    texts = [t for t in svg.iter(f"{SVG}text") if (t.text or "").startswith("capture-memory")]
    [shown] = texts
    assert shown.text != long_label and str(shown.text).endswith("…")
    title = shown.find(f"{SVG}title")
    assert title is not None and long_label in str(title.text) and "instant" in str(title.text)


def test_the_legend_names_every_status_the_chart_uses(svg: ET.Element) -> None:
    [legend] = [g for g in svg if g.get("class") == "legend"]
    keys = [r.get("fill") for r in legend.iter(f"{SVG}rect")]
    text = " ".join(t.text or "" for t in legend.iter(f"{SVG}text"))
    for status in {r.status for r in ROWS}:
        assert status in text
        assert outcome(status).colour in keys
    bars = {r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "step"}
    assert bars <= set(keys)  # no colour without a key
    assert len(keys) == len({outcome(r.status) for r in ROWS})


def test_every_outcome_has_its_own_colour() -> None:
    assert len({o.colour for o in OUTCOMES}) == len(OUTCOMES)
