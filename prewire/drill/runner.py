"""`prewire drill`: provision, seed, gate, detect, respond, verify and report, end to end.

On the embedded emulator (default) everything happens in-process against moto's server on
127.0.0.1. The steps and their timing form the report's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policies.live.gate import describe, gate
from prewire.drill import detection, inventory
from prewire.drill.environment import (
    PreparedAccount,
    known_vpcs,
    stack_graph,
    stage_memory_tool,
)
from prewire.drill.provision import Provisioned, provision
from prewire.drill.scenarios import SCENARIOS, NotVerifiable, Scenario, ScenarioRun
from prewire.drill.timeline import Timeline, now
from prewire.drill.victim import seed_network, seed_workload
from prewire.emulator.aws import EmbeddedAws
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
from responders.aws.handler import respond_to_event
from responders.aws.store import S3EvidenceStore

Progress = Callable[[str], None]
Sabotage = Callable[[PreparedAccount], None]

EMULATOR_NOTES = (
    "Target: the embedded AWS emulator (moto's server on 127.0.0.1); no cloud account was used.",
    "The emulator does not deliver CloudTrail or flow logs; the drill wrote realistic log objects "
    "for the attack window where CloudTrail and flow-log delivery would have.",
    "The emulator cannot run functions; the stack's finding rule routed the finding to a queue "
    "the drill added, and the drill delivered it to the same handler the deployed function runs.",
)


@dataclass
class DrillOptions:
    scenarios: Sequence[str] = ()
    region: str = "us-east-1"
    report_dir: Path | None = None
    sabotage: Sabotage | None = None


@dataclass
class DrillResult:
    drill_id: str
    report: Report
    report_paths: list[Path]
    provisioned: Provisioned | None = None
    runs: dict[str, ScenarioRun] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok


def selected(names: Sequence[str]) -> list[Scenario]:
    return [SCENARIOS.get(n) for n in names] if names else list(SCENARIOS)


def run_drill(options: DrillOptions, progress: Progress = lambda _: None) -> DrillResult:
    scenarios = selected(options.scenarios)
    drill_id = uuid.uuid4().hex[:8]
    timeline = Timeline()
    report = Report(
        title=f"prewire drill {drill_id}",
        subtitle=f"scenarios: {', '.join(s.name for s in scenarios)}",
        generated_at=now(),
        ok=False,
        notes=list(EMULATOR_NOTES),
    )
    result = DrillResult(drill_id, report, [])
    with EmbeddedAws(region=options.region) as aws:
        clients = aws.clients()
        progress("provisioning the kit's AWS stack into the embedded emulator")
        with timeline.step("provision the readiness stack") as step:
            network = seed_network(clients, drill_id)
            stage_memory_tool(clients)
            result.provisioned = provision(
                stack_graph(options.region), clients, known=known_vpcs(clients, network)
            )
            step.detail = f"{len(result.provisioned.created)} resources created; not created: " + (
                ", ".join(f"{k} ({v})" for k, v in result.provisioned.not_created.items()) or "none"
            )
        progress("seeding the victim workload")
        with timeline.step("seed the victim workload") as step:
            account = PreparedAccount(
                clients, network, result.provisioned, seed_workload(clients, drill_id, network)
            )
            step.detail = (
                f"instance {account.victim.instance_id}, function {account.victim.function_name}"
            )
        if options.sabotage:
            options.sabotage(account)
        progress("gating on the live readiness audit")
        with timeline.step("readiness gate: live audit of the target") as step:
            checked = gate(clients)
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
                "Deploy the stack and fix what `prewire audit aws` lists before "
                "relying on responders.",
            )
        )
        report.notes += [f"readiness audit (not blocking): {describe(f)}" for f in checked.reported]
        route = detection.add_queue_target(clients, drill_id)
        responder = account.responder()
        for scenario in scenarios:
            progress(f"scenario {scenario.name}: {scenario.summary}")
            run = _run_scenario(scenario, account, responder, route, timeline)
            result.runs[scenario.name] = run
            _record(report, scenario, run)
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
    directory = options.report_dir or Path("drill-reports") / datetime.now(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    result.report_paths = write_all(report, directory)
    return result


def _run_scenario(
    scenario: Scenario,
    account: PreparedAccount,
    responder: object,
    route: detection.Route,
    timeline: Timeline,
) -> ScenarioRun:
    from responders.aws.session import AwsClients

    assert isinstance(responder, AwsClients)
    attack_start = now() - timedelta(minutes=30)
    if scenario.prepare:
        with timeline.step("attack (simulated activity and logs)", scenario.name):
            scenario.prepare(account, attack_start)
    before = inventory.take(account.clients, account.evidence_bucket)
    detail = scenario.finding(account, now())
    with timeline.step("detect: finding routed by the stack's rule", scenario.name) as step:
        detected_at = step.started
        detection.inject(account.clients, detail)
        event = detection.receive(account.clients, route, detail["id"])
        step.detail = f"{detail['type']} (severity {detail['severity']}) via {route.rule_name}"
    with timeline.step("respond: the deployed handler's playbook", scenario.name) as step:
        response = respond_to_event(event, responder, auto_contain=scenario.auto_contain)
        step.detail = f"{response.get('response')} on {', '.join(response.get('targets', []))}"
        step.status = "ok" if response.get("ok") else "failed"
    after = inventory.take(account.clients, account.evidence_bucket)
    store = S3EvidenceStore(account.clients, account.evidence_bucket)
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
