"""`prewire drill`: prepare, gate, attack, detect, respond, verify and report, end to end.

The flow is the same on every target (`prewire.drill.target`): the embedded emulator (default;
everything in-process against moto's server on 127.0.0.1) or a sandbox account with the stack
deployed (`--target aws`). The steps and their timing form the report's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policies.live.gate import describe, gate
from prewire.drill.environment import PreparedAccount
from prewire.drill.sandbox import SandboxOptions, SandboxTarget
from prewire.drill.scenarios import SCENARIOS, NotVerifiable, Scenario, ScenarioRun
from prewire.drill.target import Progress, Target
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
from responders.aws.findings import evidence_root
from responders.aws.store import S3EvidenceStore
from responders.runtime import InputError

Sabotage = Callable[[PreparedAccount], None]


@dataclass
class DrillOptions:
    scenarios: Sequence[str] = ()
    region: str = "us-east-1"
    report_dir: Path | None = None
    sabotage: Sabotage | None = None
    sandbox: SandboxOptions | None = None
    """Run in this sandbox account instead of the embedded emulator."""
    provision_with: str = "api"
    """On the emulator: "api" (the rendered stack through the API) or "pulumi" (`pulumi up`)."""


@dataclass
class DrillResult:
    drill_id: str
    report: Report
    report_paths: list[Path]
    account: PreparedAccount | None = None
    runs: dict[str, ScenarioRun] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok


def open_target(options: DrillOptions) -> Target:
    if options.sandbox is not None:
        return SandboxTarget(options.sandbox)
    from prewire.drill.emulated import EmulatorTarget  # starts moto: only when asked for

    return EmulatorTarget(options.region, "pulumi" if options.provision_with == "pulumi" else "api")


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


def run_drill(options: DrillOptions, progress: Progress = lambda _: None) -> DrillResult:
    drill_id = uuid.uuid4().hex[:8]
    timeline = Timeline()
    with open_target(options) as target:
        scenarios = chosen_scenarios(target, options.scenarios)
        report = Report(
            title=f"prewire drill {drill_id}",
            subtitle=f"scenarios: {', '.join(s.name for s in scenarios)}",
            generated_at=now(),
            ok=False,
        )
        result = DrillResult(drill_id, report, [])
        try:
            result.account = target.prepare(drill_id, timeline, progress)
            _exercise(target, result, scenarios, options, timeline, progress)
        finally:
            progress("finishing: removing what the drill created")
            report.checks += target.finish(result.account, timeline)
            report.notes = list(target.notes) + report.notes
    _conclude(report, timeline)
    directory = options.report_dir or Path("drill-reports") / datetime.now(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    result.report_paths = write_all(report, directory)
    return result


def _exercise(
    target: Target,
    result: DrillResult,
    scenarios: list[Scenario],
    options: DrillOptions,
    timeline: Timeline,
    progress: Progress,
) -> None:
    account, report = result.account, result.report
    assert account is not None
    if options.sabotage:
        options.sabotage(account)
    progress("gating on the live readiness audit")
    with timeline.step("readiness gate: live audit of the target") as step:
        checked = gate(account.clients)
        blocking = [describe(f) for f in checked.blocking]
        step.status = "failed" if blocking else "ok"
        step.detail = "; ".join(blocking) or (
            f"ready ({len(checked.findings)} findings; {len(checked.reported)} reported, "
            "none blocking)"
        )
    report.checks.append(
        Check(
            "drill",
            "target passes the readiness gate",
            "failed" if blocking else "held",
            "; ".join(blocking),
            "Deploy the stack and fix what `prewire audit aws` lists before relying on responders.",
        )
    )
    report.notes += [f"readiness audit (not blocking): {describe(f)}" for f in checked.reported]
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
        _record(report, scenario, run)


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
    account: PreparedAccount,
    target: Target,
    timeline: Timeline,
    report: Report,
) -> ScenarioRun:
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
        step.detail = f"{detail['type']} (severity {detail['severity']}): {detected.detail}"
    report.checks.append(
        Check(
            scenario.name,
            "the stack's finding rule routes the finding",
            detected.routed,
            "" if detected.routed == "held" else detected.detail,
            "Check the rule's pattern and severity threshold (prewire:aws.minFindingSeverity).",
        )
    )
    with timeline.step("respond: the deployed handler's playbook", scenario.name) as step:
        response = target.respond(account, detected.event, scenario)
        step.detail = f"{response.get('response')} on {', '.join(response.get('targets', []))}"
        step.status = "ok" if response.get("ok") else "failed"
    after = target.inventory(account)
    store = S3EvidenceStore(account.clients, account.evidence_bucket, evidence_root(detail))
    return ScenarioRun(
        account, str(response.get("case")), detected_at, response, before, after, store
    )


def _record(report: Report, scenario: Scenario, run: ScenarioRun) -> None:
    chosen = str(run.response.get("response"))
    report.checks.append(
        Check(
            scenario.name,
            f"the responder chose {scenario.response}",
            "held" if chosen == scenario.response else "failed",
            "" if chosen == scenario.response else f"it chose {chosen}",
            "Check the finding type mapping in responders/aws/findings.py and the stack's "
            "prewire:aws.autoContain setting.",
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
