"""`prewire drill`: prepare, gate, attack, detect, respond, verify and report, end to end.

The flow is the same on every target (`prewire.drill.target`): the embedded emulator (default;
everything in-process against moto's server on 127.0.0.1) or a sandbox account with the stack
deployed (`--target aws`). The steps and their timing form the report's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from policies.live.gate import describe
from prewire.core.vocabulary import Cloud
from prewire.drill.options import DrillOptions
from prewire.drill.scenarios import NotVerifiable, Scenario, ScenarioRun, load_scenarios
from prewire.drill.target import Progress, Target, open_target
from prewire.drill.timeline import Timeline, now
from prewire.report.model import (
    Check,
    Report,
    Row,
    custody_artifacts,
    custody_metrics,
    custody_rows,
    lessons,
)
from prewire.report.writers import write_all
from responders.runtime import InputError

SCENARIOS = load_scenarios()


@dataclass
class DrillResult:
    drill_id: str
    report: Report
    report_paths: list[Path]
    accounts: dict[Cloud, Any] = field(default_factory=dict)
    """Each target's prepared account (`PreparedAccount` on AWS, `AzureAccount` on Azure)."""
    runs: dict[str, ScenarioRun[Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def account(self) -> Any:
        """The AWS target's prepared account (`prewire.drill.aws.environment.PreparedAccount`)."""
        return self.accounts.get(Cloud.AWS)


def clouds_of(options: DrillOptions) -> list[Cloud]:
    """The clouds whose targets the drill opens: those of the named scenarios, else all."""
    named = [SCENARIOS.get(n) for n in options.scenarios]
    if options.sandbox is not None:
        # Refused before the sandbox target opens (which already calls the account).
        for scenario in named:
            if scenario.cloud is not Cloud.AWS:
                raise InputError(
                    f"scenario {scenario.name} cannot run on this target: it is a "
                    f"{scenario.cloud.value} scenario"
                )
        return [Cloud.AWS]
    named = named or list(SCENARIOS)
    return [c for c in Cloud if any(s.cloud is c for s in named)]


def chosen_scenarios(target: Target, names: Sequence[str]) -> list[Scenario]:
    """The named scenarios (all this target supports when none are named)."""
    if not names:
        return [s for s in SCENARIOS if target.unsupported(s) is None]
    scenarios = [SCENARIOS.get(n) for n in names]
    for scenario in scenarios:
        reason = target.unsupported(scenario)
        if reason:
            raise InputError(f"scenario {scenario.name} cannot run on this target: {reason}")
    return scenarios


def _names_for(cloud: Cloud, options: DrillOptions) -> list[str]:
    return [n for n in options.scenarios if SCENARIOS.get(n).cloud is cloud]


def run_drill(options: DrillOptions, progress: Progress = lambda _: None) -> DrillResult:
    drill_id = uuid.uuid4().hex[:8]
    timeline = Timeline()
    report = Report(title=f"prewire drill {drill_id}", subtitle="", generated_at=now(), ok=False)
    result = DrillResult(drill_id, report, [])
    clouds = clouds_of(options)
    ran: list[str] = []
    for cloud in clouds:
        if len(clouds) > 1:
            timeline.scope = f"{cloud.value} target"
        with open_target(options, cloud) as target:
            scenarios = chosen_scenarios(target, _names_for(cloud, options))
            ran += [s.name for s in scenarios]
            account = None
            try:
                account = result.accounts[cloud] = target.prepare(drill_id, timeline, progress)
                _exercise(target, account, result, scenarios, options, timeline, progress)
            finally:
                progress(f"finishing on {cloud.value}: removing what the drill created")
                report.checks += target.finish(account, timeline)
                report.notes = report.notes + list(target.notes)
    report.subtitle = f"scenarios: {', '.join(ran)}"
    _conclude(report, timeline)
    directory = options.report_dir or Path("drill-reports") / datetime.now(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    result.report_paths = write_all(report, directory)
    return result


def _exercise(
    target: Target,
    account: Any,
    result: DrillResult,
    scenarios: list[Scenario],
    options: DrillOptions,
    timeline: Timeline,
    progress: Progress,
) -> None:
    if options.sabotage and target.cloud is options.sabotage_cloud:
        options.sabotage(account)
    _gate(target, account, result.report, timeline, progress)
    _scenarios(target, account, result, scenarios, timeline, progress)


def _gate(
    target: Target, account: Any, report: Report, timeline: Timeline, progress: Progress
) -> None:
    progress(f"gating on the live readiness audit ({target.cloud.value})")
    lesson = (
        f"Deploy the stack and fix what `prewire audit {target.cloud.value}` lists before "
        "relying on responders."
    )
    with timeline.step("readiness gate: live audit of the target") as step:
        checked = target.gate(account)
        if checked is None:
            step.status, step.detail = "skipped", f"no live audit for {target.cloud.value} yet"
            report.checks.append(
                Check(
                    timeline.scope or "drill",
                    "target passes the readiness gate",
                    "not-verifiable",
                    step.detail,
                    lesson,
                )
            )
            return
        blocking = [describe(f) for f in checked.blocking]
        step.status = "failed" if blocking else "ok"
        step.detail = "; ".join(blocking) or (
            f"ready ({len(checked.findings)} findings; {len(checked.reported)} reported, "
            "none blocking)"
        )
    report.checks.append(
        Check(
            timeline.scope or "drill",
            "target passes the readiness gate",
            "failed" if blocking else "held",
            "; ".join(blocking),
            lesson,
        )
    )
    report.notes += [f"readiness audit (not blocking): {describe(f)}" for f in checked.reported]


def _scenarios(
    target: Target,
    account: Any,
    result: DrillResult,
    scenarios: list[Scenario],
    timeline: Timeline,
    progress: Progress,
) -> None:
    report = result.report
    for scenario in scenarios:
        progress(f"scenario {scenario.name}: {scenario.summary}")
        try:
            run = _run_scenario(scenario, account, target, timeline, report)
        except Exception as error:  # one broken scenario must not hide the others' results
            report.checks.append(
                Check(
                    scenario.name,
                    "scenario ran to the end",
                    "failed",
                    f"{type(error).__name__}: {error}",
                    "The timeline shows the step that broke off; fix it and run the drill again.",
                )
            )
            continue
        result.runs[scenario.name] = run
        _record(report, scenario, run, target.planning_lesson)


def _conclude(report: Report, timeline: Timeline) -> None:
    report.rows = [
        Row(s.scenario or "drill", s.name, s.started, s.ended, s.status, s.detail)
        for s in timeline.steps
    ] + report.rows
    report.rows.sort(key=lambda r: r.started)
    report.ok = all(c.status != "failed" for c in report.checks) and all(
        s.status != "failed" for s in timeline.steps
    )
    report.lessons = lessons(report)
    report.generated_at = now()


def _run_scenario(
    scenario: Scenario,
    account: Any,
    target: Target,
    timeline: Timeline,
    report: Report,
) -> ScenarioRun[Any]:
    attack_start = now() - timedelta(minutes=30)
    if scenario.prepare:
        with timeline.step("attack (simulated activity and logs)", scenario.name) as step:
            if not target.attack(scenario, account, attack_start):
                step.detail = "no log objects written on this target"
    before = target.inventory(account)
    detail = scenario.finding(account, now())
    with timeline.step("detect: the stack's rule and the finding", scenario.name) as step:
        detected_at = step.started
        detected = target.detect(account, detail)
        step.detail = f"{target.summary(detail)}: {detected.detail}"
    report.checks.append(
        Check(
            scenario.name,
            "the stack's finding rule routes the finding",
            detected.routed,
            "" if detected.routed == "held" else detected.detail,
            target.routing_lesson,
        )
    )
    with timeline.step("respond: the deployed handler's playbook", scenario.name) as step:
        response = target.respond(account, detected.event, scenario)
        step.detail = f"{response.get('response')} on {', '.join(response.get('targets', []))}"
        step.status = "ok" if response.get("ok") else "failed"
    after = target.inventory(account)
    store = target.evidence_store(account, detail)
    return ScenarioRun(
        account, str(response.get("case")), detected_at, response, before, after, store
    )


def _record(report: Report, scenario: Scenario, run: ScenarioRun[Any], lesson: str) -> None:
    chosen = str(run.response.get("response"))
    report.checks.append(
        Check(
            scenario.name,
            f"the responder chose {scenario.response}",
            "held" if chosen == scenario.response else "failed",
            "" if chosen == scenario.response else f"it chose {chosen}",
            lesson,
        )
    )
    for expectation in scenario.expectations:
        try:
            problem = expectation.check(run)
            status, detail = ("held", "") if problem is None else ("failed", problem)
        except NotVerifiable as reason:
            status, detail = "not-verifiable", str(reason)
        except Exception as error:  # the target is not in a state the check can even read
            status, detail = "failed", f"could not check: {type(error).__name__}: {error}"
        report.checks.append(
            Check(scenario.name, expectation.name, status, detail, expectation.lesson)
        )
    entries = run.store.read_all_entries(run.case_id)
    report.rows += custody_rows(scenario.name, entries)
    report.metrics.append(custody_metrics(scenario.name, entries, run.detected_at))
    report.artifacts += custody_artifacts(scenario.name, entries)
