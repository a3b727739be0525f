"""EksLogging under Pulumi's mocks: clusters a program declares after the component log every
control-plane type into a log group prewire declares first, and ship container logs; the static
rules then pass on the rendered graph; opted-out clusters are left as declared."""

from __future__ import annotations

import pulumi_aws as aws
import pytest

from policies.static.engine import evaluate
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import EKS_CONTROL_PLANE_LOG_TYPES, EKS_LOG_SHIPPER_ADDON
from prewire.render.program import render_function
from stacks.aws.eks import EksLogging, EksLoggingArgs
from stacks.settings import SettingsError, parse

ROLE = "arn:aws:iam::123456789012:role/eks"
SUBNETS = aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-0a1b2c3d"])


def _program(opt_out: tuple[str, ...] = (), container_logs: bool = True) -> Graph:
    def build() -> None:
        EksLogging(
            "eks",
            EksLoggingArgs(log_retention_days=400, container_logs=container_logs, opt_out=opt_out),
        )
        aws.eks.Cluster("payments", name="payments-prod", role_arn=ROLE, vpc_config=SUBNETS)
        aws.eks.Cluster(
            "batch",
            role_arn=ROLE,
            vpc_config=SUBNETS,
            enabled_cluster_log_types=["audit", "api"],
        )

    return render_function(build)


def _cluster(graph: Graph, name: str) -> Resource:
    [cluster] = [c for c in graph.of_type(t.EKS_CLUSTER) if c.name == name]
    return cluster


def test_every_declared_cluster_logs_all_five_types_keeping_its_own() -> None:
    graph = _program()
    assert _cluster(graph, "payments").get("enabledClusterLogTypes") == list(
        EKS_CONTROL_PLANE_LOG_TYPES
    )
    assert _cluster(graph, "batch").get("enabledClusterLogTypes") == [
        "audit",
        "api",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]


def test_a_named_cluster_gets_its_log_groups_first_with_retention_and_protection() -> None:
    graph = _program()
    groups = {g.get("name"): g for g in graph.of_type(t.LOG_GROUP)}
    control_plane = groups["/aws/eks/payments-prod/cluster"]
    application = groups["/aws/containerinsights/payments-prod/application"]
    for group in (control_plane, application):
        assert group.get("retentionInDays") == 400
        assert group.protect
    # The cluster waits for its group: EKS would otherwise create it, kept forever, unmanaged.
    assert control_plane.urn in _cluster(graph, "payments").dependencies
    # An auto-named cluster's name is unknown before it exists: no group is declared for it.
    assert not [n for n in groups if "batch" in str(n)]


def test_container_logs_are_shipped_by_the_add_on_through_pod_identity() -> None:
    graph = _program()
    addons = graph.of_type(t.EKS_ADDON)
    shippers = {
        a.get("clusterName"): a for a in addons if a.get("addonName") == EKS_LOG_SHIPPER_ADDON
    }
    batch = _cluster(graph, "batch")
    assert set(shippers) == {"payments-prod", batch.outputs["name"]}
    for shipper in shippers.values():
        [association] = shipper.get("podIdentityAssociations")
        assert association["serviceAccount"] == "cloudwatch-agent"
        assert str(association["roleArn"]).startswith("arn:aws:iam::")
    agents = [a for a in addons if a.get("addonName") == "eks-pod-identity-agent"]
    assert len(agents) == 2
    [role] = graph.of_type(t.IAM_ROLE)
    assert "pods.eks.amazonaws.com" in role.get("assumeRolePolicy")
    assert batch.urn in shippers[batch.outputs["name"]].dependencies


def test_the_static_rules_pass_on_what_the_component_declares() -> None:
    eks = {"AWS-EKS-001", "AWS-EKS-002", "AWS-EKS-003"}
    findings = {
        (f.control.id, str(f.resource).split("::")[-1]): f.status.value
        for f in evaluate(_program())
        if f.control.id in eks
    }
    assert findings == {
        ("AWS-EKS-001", "payments"): "passed",
        ("AWS-EKS-001", "batch"): "passed",
        ("AWS-EKS-002", "payments"): "passed",
        # The auto-named cluster's group is EKS's own: the rule says so instead of passing it.
        ("AWS-EKS-002", "batch"): "failed",
        ("AWS-EKS-003", "payments"): "passed",
        ("AWS-EKS-003", "batch"): "passed",
    }


def test_an_opted_out_cluster_is_left_as_declared() -> None:
    graph = _program(opt_out=("batch",), container_logs=False)
    assert _cluster(graph, "batch").get("enabledClusterLogTypes") == ["audit", "api"]
    assert _cluster(graph, "payments").get("enabledClusterLogTypes") == list(
        EKS_CONTROL_PLANE_LOG_TYPES
    )
    assert graph.of_type(t.EKS_ADDON) == []


def test_stack_config_opts_out_by_name(example_aws_config: dict[str, str]) -> None:
    values = {
        k.split(":", 1)[1]: v for k, v in example_aws_config.items() if k.startswith("prewire:")
    }
    values["aws.eksLoggingOptOut"] = '["batch", "legacy-cluster"]'
    aws_settings = parse(values).aws
    assert aws_settings is not None
    assert aws_settings.eks_logging_opt_out == ("batch", "legacy-cluster")
    assert aws_settings.eks_logging and aws_settings.eks_container_logs
    values["aws.eksLoggingOptOut"] = '["no spaces"]'
    with pytest.raises(SettingsError, match=r"aws\.eksLoggingOptOut.*malformed"):
        parse(values)
