"""A ready baseline graph: the kit's stack rendered with the example config, plus the workload
resources the kit does not create (EKS, ECS, a critical instance and Auto Scaling group)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from prewire.core import tokens as t
from prewire.render import Graph, Resource, render

VPC = "vpc-0a1b2c3d4e5f60718"


def resource(token: str, name: str, inputs: dict[str, Any], **outputs: Any) -> Resource:
    return Resource(
        urn=f"urn:pulumi:test::prewire::{token}::{name}",
        type=token,
        name=name,
        inputs=inputs,
        outputs={"id": f"{name}-id", **outputs},
    )


WORKLOADS = [
    resource(t.VPC, "app-vpc", {"cidrBlock": "10.0.0.0/16"}, id=VPC),
    resource(
        t.EKS_CLUSTER,
        "app-eks",
        {
            "name": "app-eks",
            "enabledClusterLogTypes": [
                "api",
                "audit",
                "authenticator",
                "controllerManager",
                "scheduler",
            ],
        },
    ),
    resource(
        t.LOG_GROUP, "app-eks-logs", {"name": "/aws/eks/app-eks/cluster", "retentionInDays": 365}
    ),
    resource(
        t.EKS_ADDON,
        "app-eks-logging",
        {"clusterName": "app-eks", "addonName": "amazon-cloudwatch-observability"},
    ),
    resource(
        t.ECS_CLUSTER,
        "app-ecs",
        {
            "configuration": {
                "executeCommandConfiguration": {
                    "logging": "OVERRIDE",
                    "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec"},
                }
            }
        },
    ),
    resource(
        t.ECS_TASK_DEFINITION,
        "app-task",
        {
            "containerDefinitions": json.dumps(
                [{"name": "web", "image": "nginx", "logConfiguration": {"logDriver": "awslogs"}}]
            )
        },
    ),
    resource(
        t.EC2_INSTANCE,
        "app-db",
        {
            "tags": {"prewire:critical": "true"},
            "rootBlockDevice": {"deleteOnTermination": False},
            "ebsBlockDevices": [{"deviceName": "/dev/xvdf", "deleteOnTermination": False}],
        },
    ),
    resource(
        t.AUTOSCALING_GROUP,
        "app-asg",
        {
            "tags": [{"key": "prewire:critical", "value": "true", "propagateAtLaunch": True}],
            "initialLifecycleHooks": [
                {"name": "hold", "lifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING"}
            ],
        },
    ),
]


@pytest.fixture(scope="session")
def baseline(example_aws_config: dict[str, str]) -> Graph:
    graph = render(None, example_aws_config, stack="example-aws")
    return Graph(resources=[*graph.resources, *WORKLOADS], config=graph.config)


Mutation = Callable[[Graph], Graph]


def change(token: str, name_part: str, **inputs: Any) -> Mutation:
    """A mutation setting (or, with None, removing) inputs of one resource."""

    def mutate(graph: Graph) -> Graph:
        matches = [r for r in graph.resources if r.type == token and name_part in r.name]
        assert len(matches) == 1, f"{token} {name_part}: {[r.name for r in matches]}"
        target = matches[0]
        updated = {k: v for k, v in {**target.inputs, **inputs}.items() if v is not None}
        # The (mocked) provider echoes inputs into outputs; keep the two consistent.
        outputs = {k: v for k, v in {**target.outputs, **inputs}.items() if v is not None}
        resources = [
            dataclasses.replace(r, inputs=updated, outputs=outputs) if r is target else r
            for r in graph.resources
        ]
        return dataclasses.replace(graph, resources=resources)

    return mutate


def remove(token: str, name_part: str = "") -> Mutation:
    def mutate(graph: Graph) -> Graph:
        kept = [r for r in graph.resources if not (r.type == token and name_part in r.name)]
        assert len(kept) < len(graph.resources), f"nothing to remove: {token} {name_part}"
        return dataclasses.replace(graph, resources=kept)

    return mutate


def add(new: Resource) -> Mutation:
    def mutate(graph: Graph) -> Graph:
        return dataclasses.replace(graph, resources=[*graph.resources, new])

    return mutate
