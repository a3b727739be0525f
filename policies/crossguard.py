"""The static rules as a Pulumi CrossGuard policy pack (`pulumi preview --policy-pack policies`).

Resource rules become ResourceValidationPolicies, graph rules StackValidationPolicies. Policy
names are the control ids in lower case. Enforcement follows severity (critical and high are
mandatory, medium and low advisory) and every control can be overridden the CrossGuard way, in a
policy pack config file passed with `--policy-pack-config`:

    {"aws-lambda-001": "disabled", "aws-logs-001": {"enforcementLevel": "mandatory",
                                                    "retentionDays": 400}}

Scope works as in `prewire check`: by default a stack that declares no account baseline is judged as
a workload, and the account controls' stack policies stay silent for it. Set it for the whole pack
with the environment variable PREWIRE_SCOPE (workload | account | all), or per policy with its
`scope` config property. The same file also serves `prewire check --policy-config`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PolicySeverity

from policies.catalogue import Control, controls_of, get
from policies.findings import Status
from policies.scope import CheckScope, decide
from policies.static.engine import (
    DEFAULT_RETENTION_DAYS,
    RULES,
    Context,
    StaticRule,
    clouds_in,
    load_rules,
    run_graph_rule,
    run_resource_rule,
)
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import Severity

ReportViolation = Callable[[str, str | None], None]

ENFORCEMENT = {
    Severity.CRITICAL: EnforcementLevel.MANDATORY,
    Severity.HIGH: EnforcementLevel.MANDATORY,
    Severity.MEDIUM: EnforcementLevel.ADVISORY,
    Severity.LOW: EnforcementLevel.ADVISORY,
}
SCOPE_VARIABLE = "PREWIRE_SCOPE"
CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "retentionDays": {"type": "integer", "minimum": 1, "default": DEFAULT_RETENTION_DAYS},
        "scope": {"type": "string", "enum": [s.value for s in CheckScope], "default": "auto"},
    }
)


def requested_scope(config: Mapping[str, Any]) -> CheckScope:
    """The policy's `scope` config, else PREWIRE_SCOPE, else auto."""
    value = config.get("scope") or "auto"
    if value == "auto":
        value = os.environ.get(SCOPE_VARIABLE, "auto").strip().lower() or "auto"
    try:
        return CheckScope(value)
    except ValueError:
        raise ValueError(
            f"{SCOPE_VARIABLE}={value!r}: expected one of auto, workload, account, all"
        ) from None


def policy_name(control: Control) -> str:
    return control.id.lower()


def _context(config: Mapping[str, Any]) -> Context:
    return Context(retention_days=int(config.get("retentionDays") or DEFAULT_RETENTION_DAYS))


def _resource(resource: PolicyResource | ResourceValidationArgs) -> Resource:
    props = dict(resource.props)
    parent = getattr(resource, "parent", None)
    dependencies = getattr(resource, "dependencies", [])
    property_dependencies = getattr(resource, "property_dependencies", {}) or {}
    return Resource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        inputs=props,
        outputs={**props, "id": props.get("id") or resource.name},
        parent=parent.urn if parent is not None else None,
        dependencies=tuple(d.urn for d in dependencies),
        property_dependencies={
            k: tuple(d.urn for d in v) for k, v in property_dependencies.items()
        },
        protect=bool(resource.opts.protect),
    )


def _resource_validator(
    rule: StaticRule,
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.tokens:
            return
        config = args.get_config()
        if not requested_scope(config).judges(get(rule.control_id)):
            return  # an explicit `account` scope: resource controls do not judge the stack
        finding = run_resource_rule(rule, _resource(args), _context(config))
        if finding is not None and finding.status is Status.FAILED:
            report_violation(f"{finding.message}. {finding.control.remediation}", None)

    return validate


def _stack_validator(rule: StaticRule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = Graph(resources=[_resource(r) for r in args.resources])
        control = get(rule.control_id)
        clouds = clouds_in(graph)
        if control.cloud not in clouds:
            return  # a stack without that cloud's resources is not judged on it
        config = args.get_config()
        controls = [c for cloud in clouds for c in controls_of(cloud)]
        decision = decide(graph, controls, requested_scope(config))
        if not decision.scope.judges(control):
            return  # a workload relies on the account baseline for this control
        context = replace(_context(config), workload=decision.scope is CheckScope.WORKLOAD)
        for finding in run_graph_rule(rule, graph, context):
            if finding.status is not Status.FAILED:
                continue
            urn = next((r.urn for r in graph if r.label == finding.resource), None)
            report_violation(f"{finding.message}. {finding.control.remediation}", urn)

    return validate


def build_policies() -> list[Policy]:
    load_rules()
    policies: list[Policy] = []
    for rule in sorted(RULES, key=lambda r: r.control_id):
        control = get(rule.control_id)
        common: dict[str, Any] = {
            "name": policy_name(control),
            "description": f"{control.title} ({control.id})",
            "enforcement_level": ENFORCEMENT[control.severity],
            "config_schema": CONFIG_SCHEMA,
            "severity": PolicySeverity(control.severity.value),
            "remediation_steps": control.remediation,
            "tags": [
                "forensic-readiness",
                control.cloud.value,
                *[s.value for s in control.sources],
            ],
        }
        if rule.resource_check:
            policies.append(ResourceValidationPolicy(validate=_resource_validator(rule), **common))
        else:
            policies.append(StackValidationPolicy(validate=_stack_validator(rule), **common))
    return policies
