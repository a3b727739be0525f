"""Every type token and property the static rules (and so the CrossGuard pack and the live audits,
which run the same rules), the live graph readers and the checkov export name must exist in the
installed provider SDK, so a rule cannot silently never fire."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.baseline import BASELINE_CHECKS
from policies.static.engine import RULES, Context, load_rules, run_graph_rule, run_resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.render import load_stack_config, render, sdk
from tests.fidelity.pulumi_reads import (
    ReadLog,
    checkable,
    problems,
    reading_as,
    traced,
    unknown_part,
)

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "fixtures" / "programs"
CORPUS = PROGRAMS / "corpus"
RENDERABLE = [
    "aws-static-site",
    "aws-http-api",
    "aws-eks-cluster",
    "aws-fargate-service",
    "aws-ec2-fleet",
    "aws-clean-component",
    "aws-org-trail",
    "azure-function-app",
    "azure-aks-cluster",
    "azure-vm-workload",
    "azure-clean-functions",
    "gcp-cloud-run-api",
    "gcp-gke-cluster",
    "gcp-vm-default-network",
]


def provider_tokens() -> list[str]:
    values: list[str] = []
    for name, value in vars(t).items():
        if name.isupper() and isinstance(value, str):
            values.append(value)
        elif name.isupper() and isinstance(value, tuple | dict):
            items = value.items() if isinstance(value, dict) else [(v, ()) for v in value]
            for key, aliases in items:
                values += [key, *aliases] if isinstance(aliases, tuple) else [key]
    return sorted({v for v in values if isinstance(v, str) and checkable(v)})


@pytest.mark.parametrize("token", provider_tokens())
def test_every_type_token_the_rules_name_is_a_provider_resource(token: str) -> None:
    assert sdk.resource_class(token) is not None, f"{token}: not in the installed provider SDK"


def test_the_checkov_exports_type_overrides_name_provider_resources() -> None:
    from policies.tfplan import TYPE_OVERRIDES

    missing = [token for token in TYPE_OVERRIDES if sdk.resource_class(token) is None]
    assert not missing


@pytest.fixture(scope="module")
def graphs(example_aws_config: dict[str, str]) -> list[Graph]:
    from prewire.drill.azure.account import responder_package

    azure = load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire")
    azure["prewire:azure.responderPackage"] = str(responder_package())
    found = [
        render(None, example_aws_config),
        render(None, azure),
        render(None, load_stack_config(ROOT / "Pulumi.example-gcp.yaml", "prewire")),
        render(PROGRAMS / "gappy_aws"),
    ]
    found += [render(CORPUS / name) for name in RENDERABLE]
    return found


def test_every_property_the_rules_read_exists_in_the_provider_sdk(graphs: list[Graph]) -> None:
    load_rules()
    log = ReadLog()
    for graph in graphs:
        watched = traced(graph, log)
        context = Context()
        for rule in RULES:
            with reading_as(log, rule.control_id):
                if rule.resource_check:
                    for resource in watched.of_type(*rule.tokens):
                        run_resource_rule(rule, resource, context)
                else:
                    run_graph_rule(rule, watched, context)
        for check in BASELINE_CHECKS:
            with reading_as(log, f"{check.control_id} (baseline)"):
                check.check(watched, None)
    assert len(log.reads) > 150, "the trace recorded the rules' reads"
    assert not problems(log), "\n".join(problems(log))


def test_the_trace_catches_a_misspelt_property() -> None:
    log = ReadLog()
    trail = Resource(urn="u", type=t.CLOUDTRAIL, name="t", inputs={"kmsKeyId": "k"})
    [watched] = traced(Graph(resources=[trail]), log).resources
    with reading_as(log, "AWS-TEST-001"):
        watched.get("kmsKeyID")
        watched.get("advancedEventSelectors")
    assert problems(log) == [
        "AWS-TEST-001 reads aws:cloudtrail/trail:Trail: "
        "kmsKeyID is not a property (Trail has no 'kmsKeyID')"
    ]
    assert (
        unknown_part(
            t.CLOUDTRAIL, ("advancedEventSelectors", "[]", "fieldSelectors", "[]", "field")
        )
        is None
    )
    assert "has no 'fieldz'" in str(
        unknown_part(t.CLOUDTRAIL, ("advancedEventSelectors", "[]", "fieldz"))
    )


def test_the_gcp_audit_reader_writes_only_pulumi_gcp_inputs() -> None:
    from prewire.core.gcp.kinds import KINDS

    for kind in KINDS:
        sample = {"name": "x", "iamConfiguration": {}, "retentionPolicy": {"retentionPeriod": "1"}}
        names = set(kind.keys) | set(kind.to_inputs(sample)) | ({kind.id_input} - {""})
        for name in sorted(names):
            assert unknown_part(kind.token, (name,)) is None, (kind.token, name)
