"""The responder and release policies the AWS stack generates from the responders' declarations,
read as a reviewer would: what each statement allows, on what, under which condition."""

from __future__ import annotations

import json
from typing import Any

from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.render import Graph
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.registry import release_permissions, required_permissions
from tests.stacks.conftest import document, generated_policies, only


def _granted(graph: Graph, kind: str) -> set[tuple[str, tuple[str, ...]]]:
    return {
        (action, tuple(s["Resource"]))
        for p in generated_policies(graph, kind)
        for s in document(p)["Statement"]
        for action in s["Action"]
    }


def test_responder_policy_grants_exactly_what_the_actions_declare(example_graph: Graph) -> None:
    granted = _granted(example_graph, "responder")
    declared = required_permissions(Cloud.AWS, releases=False)
    assert {a for a, _ in granted} == {p.action for p in declared}
    assert len(granted) == len(declared)  # no action granted on a scope it did not declare
    evidence = only(example_graph, t.S3_BUCKET, "prewire-evidence").outputs["arn"]
    put = [resources for action, resources in granted if action == "s3:PutObject"]
    assert put == [(f"{evidence}/cases/*", f"{evidence}/drills/*")]
    released = _granted(example_graph, "release")
    assert len(released) == len(release_permissions(Cloud.AWS)) > 0
    assert {"iam:DetachRolePolicy", "iam:DetachUserPolicy"} <= {a for a, _ in released}
    assert not {"iam:DetachRolePolicy", "iam:DetachUserPolicy"} & {a for a, _ in granted}


def test_only_break_glass_may_release_what_the_responder_contained(example_graph: Graph) -> None:
    attached: dict[str, set[str]] = {}
    for a in example_graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT):
        attached.setdefault(a.inputs["policyArn"], set()).add(a.inputs["role"])
    roles = {
        key: only(example_graph, t.IAM_ROLE, f"identities-{key}").outputs["name"]
        for key in ("responder", "break-glass")
    }
    for policy in generated_policies(example_graph, "responder"):
        assert attached[policy.outputs["arn"]] == set(roles.values())
    for policy in generated_policies(example_graph, "release"):
        assert attached[policy.outputs["arn"]] == {roles["break-glass"]}


def test_the_responder_may_attach_the_quarantine_policy_and_no_other(example_graph: Graph) -> None:
    policies = generated_policies(example_graph)
    quarantine = only(example_graph, t.IAM_POLICY, "identities-quarantine").outputs["arn"]
    attaching = [
        s
        for p in policies
        for s in document(p)["Statement"]
        if {"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:DetachRolePolicy"}
        & set(s["Action"])
    ]
    assert attaching and all(
        s.get("Condition") == {"ArnEquals": {"iam:PolicyARN": quarantine}} for s in attaching
    )
    assert all(
        r.endswith((":role/*", ":user/*")) and "::" in r for s in attaching for r in s["Resource"]
    )


def test_the_responder_may_send_only_prewires_memory_documents(example_graph: Graph) -> None:
    """Not AWS-RunShellScript: holding the role must not mean a root shell on every instance."""
    policies = [r for r in example_graph.of_type(t.IAM_POLICY) if "responder" in r.name]
    [sending] = [
        s for p in policies for s in document(p)["Statement"] if "ssm:SendCommand" in s["Action"]
    ]
    assert sending["Action"] == ["ssm:SendCommand"]
    documents = {
        d.inputs["name"]: json.loads(d.inputs["content"])
        for d in example_graph.of_type(t.SSM_DOCUMENT)
    }
    allowed = {r.rsplit("/", 1)[-1] for r in sending["Resource"] if ":document/" in r}
    assert allowed == {"prewire-CaptureMemory", "prewire-UploadMemoryImage"} <= set(documents)
    instances = [r for r in sending["Resource"] if ":document/" not in r]
    assert len(instances) == 1 and instances[0].endswith(":123456789012:instance/*")
    for name in allowed:
        parameters = documents[name]["parameters"]
        assert parameters and all(p["allowedPattern"].startswith("^") for p in parameters.values())


def _statements_granting(policies: list[Any], action: str) -> list[dict[str, Any]]:
    return [s for p in policies for s in document(p)["Statement"] if action in s["Action"]]


def test_isolation_may_give_an_interface_only_prewires_groups(example_graph: Graph) -> None:
    """EC2 authorizes each resource of ModifyNetworkInterfaceAttribute on its own: the interface
    and instance in one statement, the security groups only when tagged as prewire's."""
    contain = _statements_granting(
        generated_policies(example_graph, "responder"), "ec2:ModifyNetworkInterfaceAttribute"
    )
    by_type = {r.split(":")[-1].split("/")[0]: s for s in contain for r in s["Resource"]}
    assert set(by_type) == {"network-interface", "instance", "security-group"}
    assert "Condition" not in by_type["network-interface"]
    groups = by_type["security-group"]["Condition"]["StringEquals"]["aws:ResourceTag/prewire:role"]
    created = {r.inputs["tags"]["prewire:role"] for r in example_graph.of_type(t.SECURITY_GROUP)}
    assert set(groups) == created == {"isolation", "conversion"}
    # Restoring the recorded groups needs any group of the account: break-glass only.
    [release] = _statements_granting(
        generated_policies(example_graph, "release"), "ec2:ModifyNetworkInterfaceAttribute"
    )
    assert "arn:aws:ec2:eu-west-1:123456789012:*" in release["Resource"]


def test_snapshot_writes_are_bound_to_the_case_tag(example_graph: Graph) -> None:
    policies = generated_policies(example_graph, "responder")
    case_tag = f"aws:RequestTag/{SNAPSHOT_TAG_CASE}"
    creating = _statements_granting(policies, "ec2:CreateSnapshots")
    on_snapshots = [s for s in creating if any("::snapshot/" in r for r in s["Resource"])]
    assert [s["Condition"] for s in on_snapshots] == [{"Null": {case_tag: "false"}}]
    assert all(
        "::snapshot/" not in r for s in creating if s not in on_snapshots for r in s["Resource"]
    )
    [copying] = _statements_granting(policies, "ec2:CopySnapshot")
    assert copying["Condition"] == {"Null": {case_tag: "false"}}
    [locking] = _statements_granting(policies, "ec2:LockSnapshot")
    assert locking["Condition"] == {"Null": {f"aws:ResourceTag/{SNAPSHOT_TAG_CASE}": "false"}}
    [sharing] = _statements_granting(policies, "ec2:ModifySnapshotAttribute")
    assert sharing["Condition"]["Null"]["ec2:Add/group"] == "true"  # never public
    tagging = _statements_granting(policies, "ec2:CreateTags")
    conditions = [s["Condition"] for s in tagging]
    assert {"StringEquals": {"ec2:CreateAction": ["CreateSnapshots", "CopySnapshot"]}} in conditions
    assert {"ForAllValues:StringLike": {"aws:TagKeys": ["prewire:*"]}} in conditions
    assert len(tagging) == 2
