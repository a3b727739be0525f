"""The evidence coverage matrix, computed from the catalogue and the registries.

For every evidence source of every cloud: is it provisioned by the stack (a control protecting it
names a prewire component), checked before deploy (a static rule), audited live (a live check),
collected by a responder (an action that produces it) and exercised by a drill (a scenario whose
expected response runs such an action). Nothing here is typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policies.catalogue import CONTROLS, load_catalogue
from policies.live.engine import LIVE_CHECKS, load_live_checks
from policies.static.engine import RULES, load_rules
from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.playbooks import PLAYBOOKS, playbooks_of
from responders.registry import ACTIONS, actions_of

FACES = ("provisioned", "checked", "audited", "collected", "drilled")


@dataclass
class CoverageRow:
    source: EvidenceSource
    marks: dict[str, list[str]] = field(default_factory=dict)

    def covered(self, face: str) -> bool:
        return bool(self.marks.get(face))


def _response_sources(cloud: Cloud, response: str) -> set[EvidenceSource]:
    kind, _, name = response.partition(" ")
    if kind == "playbook" and (cloud, name) in PLAYBOOKS:
        actions = [step.action for step in PLAYBOOKS.get((cloud, name)).steps]
    else:
        actions = [name]
    return {s for a in actions if (cloud, a) in ACTIONS for s in ACTIONS.get((cloud, a)).produces}


def _drills() -> dict[EvidenceSource, list[str]]:
    from prewire.drill.scenarios import load_scenarios

    exercised: dict[EvidenceSource, list[str]] = {}
    for scenario in load_scenarios():
        for source in _response_sources(scenario.cloud, scenario.response):
            exercised.setdefault(source, []).append(scenario.name)
    return exercised


def matrix() -> list[CoverageRow]:
    load_catalogue()
    load_rules()
    load_live_checks()
    for cloud in Cloud:
        try:
            actions_of(cloud)
            playbooks_of(cloud)
        except ModuleNotFoundError:
            continue  # no responders for this cloud yet: its rows show the gap
    drilled = _drills()
    rows = []
    for source in EvidenceSource:
        controls = [c for c in CONTROLS if source in c.sources]
        rows.append(
            CoverageRow(
                source,
                {
                    "provisioned": sorted({c.id for c in controls if c.provided_by}),
                    "checked": sorted(c.id for c in controls if c.id in RULES),
                    "audited": sorted(c.id for c in controls if c.id in LIVE_CHECKS),
                    "collected": sorted(a.name for a in ACTIONS if source in a.produces),
                    "drilled": sorted(drilled.get(source, [])),
                },
            )
        )
    return rows


def as_markdown(rows: list[CoverageRow]) -> str:
    header = (
        "| cloud | evidence source | provisioned by the stack | checked before deploy | "
        "audited live | collected by a responder | exercised by a drill |"
    )
    lines = [header, "| --- | --- | :-: | :-: | :-: | :-: | :-: |"]
    for row in rows:
        cells = ["yes" if row.covered(face) else "**no**" for face in FACES]
        lines.append(
            f"| {row.source.cloud.value} | {row.source.label} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines) + "\n"


def as_json(rows: list[CoverageRow]) -> list[dict[str, object]]:
    return [
        {
            "cloud": r.source.cloud.value,
            "source": r.source.value,
            "label": r.source.label,
            **{face: {"covered": r.covered(face), "by": r.marks.get(face, [])} for face in FACES},
        }
        for r in rows
    ]
