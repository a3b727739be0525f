"""The CrossGuard pack, called directly: the Pulumi CLI cannot be installed here, so one helper
builds the validation arguments the engine would pass, from a rendered graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.crossguard import build_policies
from prewire.render import Graph, render
from tests.cli.test_check import EXPECTED_GAPS

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "programs"


def _options(protect: bool) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def validation_args(
    graph: Graph, config: dict[str, Any] | None = None
) -> tuple[list[ResourceValidationArgs], StackValidationArgs]:
    """What the Pulumi engine hands a policy pack for this graph."""
    config = config or {}
    policy_resources: dict[str, PolicyResource] = {}
    for r in graph:
        policy_resources[r.urn] = PolicyResource(
            resource_type=r.type,
            props={**r.outputs, **r.inputs},
            urn=r.urn,
            name=r.name,
            opts=_options(r.protect),
            provider=None,
            parent=policy_resources.get(r.parent or ""),
            dependencies=[policy_resources[u] for u in r.dependencies if u in policy_resources],
            property_dependencies={
                k: [policy_resources[u] for u in v if u in policy_resources]
                for k, v in r.property_dependencies.items()
            },
        )
    resource_args = [
        ResourceValidationArgs(
            r.type, {**r.outputs, **r.inputs}, r.urn, r.name, _options(r.protect), None, config
        )
        for r in graph
    ]
    return resource_args, StackValidationArgs(list(policy_resources.values()), config)


def violations(graph: Graph, config: dict[str, Any] | None = None) -> dict[str, list[str]]:
    resource_args, stack_args = validation_args(graph, config)
    found: dict[str, list[str]] = {}
    for policy in build_policies():

        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            found.setdefault(name.upper(), []).append(message)

        if isinstance(policy, ResourceValidationPolicy):
            for args in resource_args:
                policy.validate(args, report)
        elif isinstance(policy, StackValidationPolicy):
            policy.validate(stack_args, report)
    return found


@pytest.fixture(scope="module")
def gappy() -> Graph:
    return render(PROGRAMS / "gappy_aws")


def test_the_kits_stack_raises_no_violation(baseline: Graph) -> None:
    assert violations(baseline) == {}


def test_every_gap_is_a_violation_of_its_control(gappy: Graph) -> None:
    assert set(violations(gappy)) == EXPECTED_GAPS


def test_violation_messages_carry_the_remediation(gappy: Graph) -> None:
    [message] = violations(gappy)["AWS-TRAIL-002"]
    assert "log file validation is off" in message and "enable_log_file_validation" in message


def test_enforcement_follows_severity() -> None:
    levels = {p.name: p.enforcement_level for p in build_policies()}
    assert levels["aws-trail-001"] == EnforcementLevel.MANDATORY  # critical
    assert levels["aws-lambda-001"] == EnforcementLevel.ADVISORY  # medium


def test_retention_is_configurable_per_policy(gappy: Graph) -> None:
    assert "AWS-LOGS-001" in violations(gappy)
    assert "AWS-LOGS-001" not in violations(gappy, {"retentionDays": 7})
