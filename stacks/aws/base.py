"""Shared pieces of the AWS components: child options and the deployment environment."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from stacks.aws.documents import AwsEnv


def child(
    parent: pulumi.Resource,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    protect: bool = False,
) -> pulumi.ResourceOptions:
    """Options for a child resource: parented, so names, tags and deletes follow the component.

    `protect` is set on stores that hold evidence, so `pulumi destroy` refuses to remove them.
    """
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on), protect=protect)


def resolve_env(parent: pulumi.Resource) -> pulumi.Output[AwsEnv]:
    """Account, region and partition of the provider, asked once per stack."""
    opts = pulumi.InvokeOutputOptions(parent=parent)
    identity = aws.get_caller_identity_output(opts=opts)
    region = aws.get_region_output(opts=opts)
    partition = aws.get_partition_output(opts=opts)
    return pulumi.Output.all(identity.account_id, region.region, partition.partition).apply(
        lambda values: AwsEnv(account_id=values[0], region=values[1], partition=values[2])
    )
