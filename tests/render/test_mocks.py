"""The render mocks against what the provider SDKs declare: computed outputs are filled with
plausible values of the declared type, settable properties the program left out stay absent,
common invokes are computed from their arguments."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure_native
import pulumi_gcp as gcp
import pytest

from prewire.core import tokens as t
from prewire.render import Graph, render_function, sdk
from prewire.render.policy_document import render_policy_document


def graph_of(build: Any) -> Graph:
    return render_function(build)


def outputs(graph: Graph, token: str, name: str) -> dict[str, Any]:
    [resource] = [r for r in graph.of_type(token) if r.name == name]
    return dict(resource.outputs)


def exported(graph: Graph) -> dict[str, Any]:
    return dict(graph.stack_outputs)


def test_computed_outputs_have_values_of_their_declared_type() -> None:
    def build() -> None:
        cluster = aws.eks.Cluster(
            "main", role_arn="arn:aws:iam::123456789012:role/eks", vpc_config={"subnet_ids": ["s"]}
        )
        pulumi.export("ca", cluster.certificate_authority.data)
        pulumi.export("issuer", cluster.identities[0].oidcs[0].issuer)
        pulumi.export("sg", cluster.vpc_config.cluster_security_group_id)
        pulumi.export("endpoint", pulumi.Output.concat(cluster.endpoint, "/healthz"))

    graph = graph_of(build)
    values = exported(graph)
    assert values["endpoint"].startswith("https://") and values["endpoint"].endswith("/healthz")
    assert values["issuer"].startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")
    assert values["sg"].startswith("sg-")
    import base64

    assert base64.b64decode(values["ca"]).decode().startswith("prewire-mock-")
    cluster = outputs(graph, t.EKS_CLUSTER, "main")
    # Settable properties the program left out keep the provider's default: absent.
    assert "enabledClusterLogTypes" not in cluster and "kubernetesNetworkConfig" not in cluster


def test_a_settable_property_left_out_is_not_invented() -> None:
    def build() -> None:
        aws.cloudtrail.Trail("t", s3_bucket_name="logs")

    trail = outputs(graph_of(build), t.CLOUDTRAIL, "t")
    for settable in ("kmsKeyId", "cloudWatchLogsGroupArn", "enableLogFileValidation"):
        assert settable not in trail
    assert trail["homeRegion"] and trail["arn"].startswith("arn:aws:cloudtrail:us-east-1:")


def test_every_output_of_the_resource_class_is_filled() -> None:
    def build() -> None:
        aws.apigatewayv2.Api("api", protocol_type="HTTP")

    api = outputs(graph_of(build), "aws:apigatewayv2/api:Api", "api")
    declared = sdk.fields(aws.apigatewayv2.Api)
    computed = set(declared) - (sdk.settable(aws.apigatewayv2.Api) or set())
    assert computed and computed <= set(api)
    assert api["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api['id']}"
    assert all(api[k] is not None for k in computed)


def test_resource_get_derives_outputs_from_the_id() -> None:
    def build() -> None:
        bucket = aws.s3.Bucket.get("central", "acme-central-logs")
        role = aws.iam.Role.get("shared", "acme-shared")
        pulumi.export("bucket", bucket.arn)
        pulumi.export("role", role.arn)

    graph = graph_of(build)
    assert exported(graph) == {
        "bucket": "arn:aws:s3:::acme-central-logs",
        "role": "arn:aws:iam::123456789012:role/acme-shared",
    }
    assert not graph.of_type(t.S3_BUCKET), "read resources are not the program's to judge"


def test_policy_documents_are_rendered_like_the_provider() -> None:
    result = render_policy_document(
        {
            "policyId": "p",
            "sourcePolicyDocuments": [
                json.dumps({"Statement": [{"Sid": "Old", "Effect": "Allow", "Action": "s3:*"}]})
            ],
            "statements": [
                {
                    "sid": "Read",
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
                    "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}
                    ],
                },
                {
                    "effect": "Deny",
                    "notActions": ["iam:*"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                },
            ],
            "overridePolicyDocuments": [
                json.dumps({"Statement": [{"Sid": "Old", "Effect": "Deny", "Action": "s3:*"}]})
            ],
        }
    )
    document = json.loads(result["json"])
    assert document == {
        "Version": "2012-10-17",
        "Id": "p",
        "Statement": [
            {"Sid": "Old", "Effect": "Deny", "Action": "s3:*"},
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
                "Principal": {"AWS": "arn:aws:iam::1:root"},
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            {"Effect": "Deny", "NotAction": "iam:*", "Principal": "*"},
        ],
    }
    assert json.loads(result["minifiedJson"]) == document


def test_the_invoke_feeds_the_rules() -> None:
    def build() -> None:
        assume = aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
                }
            ]
        )
        role = aws.iam.Role("janitor", assume_role_policy=assume.json)
        aws.iam.RolePolicy(
            "janitor",
            role=role.name,
            policy=aws.iam.get_policy_document_output(
                statements=[{"actions": ["lambda:DeleteFunction"], "resources": ["*"]}]
            ).json,
        )

    from policies.findings import Status
    from policies.static.engine import evaluate

    findings = [f for f in evaluate(graph_of(build)) if f.control.id == "AWS-LAMBDA-002"]
    assert [f.status for f in findings] == [Status.FAILED]


@pytest.mark.parametrize(
    ("call", "check"),
    [
        (lambda: aws.get_caller_identity().account_id, lambda v: v == "123456789012"),
        (lambda: aws.get_availability_zones().zone_ids[0], lambda v: v == "use1-az1"),
        (
            lambda: (
                aws.ec2.get_ami(
                    owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}]
                ).id
            ),
            lambda v: v.startswith("ami-"),
        ),
        (
            lambda: azure_native.authorization.get_client_config().tenant_id,
            lambda v: v == "00000000-0000-4000-8000-0000000000aa",
        ),
        (lambda: gcp.organizations.get_client_config().region, lambda v: v == "us-central1"),
        (lambda: gcp.organizations.get_project().number, lambda v: v.isdigit()),
        # Not modelled: placeholders of the declared result type, never None.
        (
            lambda: aws.ec2.get_instance_type(instance_type="t3.micro").default_vcpus,
            lambda v: v == 1,
        ),
        (
            lambda: gcp.compute.get_image(family="debian-12").self_link,
            lambda v: v.startswith("https://"),
        ),
    ],
)
def test_invokes_answer_with_typed_values(call: Any, check: Any) -> None:
    def build() -> None:
        pulumi.export("value", call())

    value = exported(graph_of(build))["value"]
    assert value is not None and check(value), value


def test_unmodelled_invokes_are_recorded_and_their_values_are_placeholders() -> None:
    def build() -> None:
        vpc = aws.ec2.get_vpc(default=True)
        pulumi.export("shape", aws.ec2.get_instance_type(instance_type="t3.micro").id)
        aws.ec2.SecurityGroup("web", vpc_id=vpc.id)

    graph = graph_of(build)
    assert [i.token for i in graph.unanswered_invokes] == [
        "aws:ec2/getInstanceType:getInstanceType"
    ]
    assert "vpc-0default00000000" in graph.placeholders


def test_storage_keys_and_kubeconfigs_are_computed_from_their_arguments() -> None:
    import base64

    def build() -> None:
        keys = azure_native.storage.list_storage_account_keys_output(
            resource_group_name="rg", account_name="acct"
        )
        creds = azure_native.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name="rg", resource_name="aks"
        )
        pulumi.export("key", keys.keys[1].key_name)
        pulumi.export("kubeconfig", creds.kubeconfigs[0].value)

    values = exported(graph_of(build))
    assert values["key"] == "key2"
    assert "server: https://aks." in base64.b64decode(values["kubeconfig"]).decode()
