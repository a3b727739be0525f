"""`prewire:aws:EksLogging`: EKS clusters declared in the same Pulumi program keep the logs an
investigation needs: all five control-plane log types, in a log group prewire declares with the
stack's retention, and container logs shipped off the nodes by the
`amazon-cloudwatch-observability` add-on (Fluent Bit into `/aws/containerinsights/<cluster>/`).

A stack transformation, as `stacks/gcp/gke.py` does for GKE, changes every `aws.eks.Cluster`
registered after this component, so a platform team's own cluster definitions are covered without
editing them. Clusters outside the program are judged by `prewire audit aws`.

Why only named clusters get prewire's log groups: EKS creates `/aws/eks/<name>/cluster` itself
(logs kept forever) as soon as logging is on, so the group must exist before the cluster, and an
auto-named cluster's name is not known until it exists. Setting a name on it would replace the
cluster, which destroys what an investigation needs. Such a cluster still logs every type; its
group is EKS's own, without expiry, and `prewire check` reports it (AWS-EKS-002).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from prewire.core.vocabulary import EKS_CONTROL_PLANE_LOG_TYPES as CONTROL_PLANE_LOG_TYPES
from prewire.core.vocabulary import EKS_LOG_SHIPPER_ADDON as LOG_SHIPPER_ADDON
from stacks.aws.base import child
from stacks.aws.documents import document, to_json
from stacks.tags import component_tags

POD_IDENTITY_ADDON = "eks-pod-identity-agent"
# The add-on's agent and Fluent Bit run as this service account (its documented default).
SHIPPER_NAMESPACE = "amazon-cloudwatch"
SHIPPER_SERVICE_ACCOUNT = "cloudwatch-agent"
SHIPPER_POLICY = "CloudWatchAgentServerPolicy"


@dataclass
class EksLoggingArgs:
    log_retention_days: int
    kms_key_arn: pulumi.Input[str] | None = None
    container_logs: bool = True
    opt_out: Sequence[str] = field(default_factory=list)
    """Clusters left as declared: a resource name or a cluster name."""


def control_plane_log_group(cluster_name: str) -> str:
    return f"/aws/eks/{cluster_name}/cluster"


def application_log_group(cluster_name: str) -> str:
    return f"/aws/containerinsights/{cluster_name}/application"


def with_every_log_type(props: dict[str, Any]) -> dict[str, Any]:
    """The cluster's inputs with every control-plane log type on (the types it lists kept)."""
    present = props.get("enabled_cluster_log_types")

    def merged(types: Sequence[str] | None) -> list[str]:
        kept = list(types or [])
        return kept + [t for t in CONTROL_PLANE_LOG_TYPES if t not in kept]

    if isinstance(present, pulumi.Output):
        return {**props, "enabled_cluster_log_types": present.apply(merged)}
    return {**props, "enabled_cluster_log_types": merged(present)}


class EksLogging(pulumi.ComponentResource):
    """Registers the transformation; the log groups and add-ons it adds are its children."""

    def __init__(
        self, name: str, args: EksLoggingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_EKS_LOGGING, name, None, opts)
        self._name = name
        self._args = args
        self._tags = component_tags("eks-logging")
        self._shipper_role: aws.iam.Role | None = None
        self.covered: list[str] = []
        pulumi.runtime.register_stack_transformation(self._transform)
        self.register_outputs({"logTypes": list(CONTROL_PLANE_LOG_TYPES)})

    def _transform(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        if args.type_ != tokens.EKS_CLUSTER:
            return None
        cluster_name = args.props.get("name")
        if args.name in self._args.opt_out or cluster_name in self._args.opt_out:
            pulumi.log.info(f"EKS cluster {args.name}: opted out of prewire's logging")
            return None
        props = with_every_log_type(dict(args.props))
        ready: list[pulumi.Resource] = []
        if cluster_name is None:
            pulumi.log.warn(
                f"EKS cluster {args.name} has no name input: EKS creates its control-plane "
                "log group itself, kept forever; set name= for prewire to declare it with "
                "the stack's retention"
            )
        else:
            ready.append(self._log_group(args.name, "control-plane", cluster_name))
        if self._args.container_logs:
            self._ship_container_logs(args.name, args.resource, cluster_name)
        self.covered.append(args.name)
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=ready))
        return pulumi.ResourceTransformationResult(props, opts)

    def _log_group(
        self, resource_name: str, kind: str, cluster_name: pulumi.Input[str]
    ) -> aws.cloudwatch.LogGroup:
        path = control_plane_log_group if kind == "control-plane" else application_log_group
        return aws.cloudwatch.LogGroup(
            f"{self._name}-{resource_name}-{kind}",
            name=pulumi.Output.from_input(cluster_name).apply(path),
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.kms_key_arn,
            tags=self._tags,
            opts=child(self, protect=True),
        )

    def _ship_container_logs(
        self, resource_name: str, cluster: pulumi.Resource, cluster_name: pulumi.Input[str] | None
    ) -> None:
        # The cluster is still being constructed: read its name once the program has moved on
        # (apply callbacks run after the constructor returns), and wait for the cluster itself.
        name = pulumi.Output.from_input(cluster_name).apply(
            lambda given: given if given is not None else cluster.name  # type: ignore[attr-defined]
        )
        after_cluster = child(self, depends_on=[cluster])
        ready: list[pulumi.Resource] = []
        if cluster_name is not None:
            ready.append(self._log_group(resource_name, "application", cluster_name))
        agent = aws.eks.Addon(
            f"{self._name}-{resource_name}-pod-identity",
            cluster_name=name,
            addon_name=POD_IDENTITY_ADDON,
            tags=self._tags,
            opts=after_cluster,
        )
        aws.eks.Addon(
            f"{self._name}-{resource_name}-logs",
            cluster_name=name,
            addon_name=LOG_SHIPPER_ADDON,
            pod_identity_associations=[
                aws.eks.AddonPodIdentityAssociationArgs(
                    role_arn=self._role().arn, service_account=SHIPPER_SERVICE_ACCOUNT
                )
            ],
            tags=self._tags,
            opts=child(self, depends_on=[cluster, agent, *ready]),
        )

    def _role(self) -> aws.iam.Role:
        """One role for every cluster's log shipper, assumed through EKS Pod Identity."""
        if self._shipper_role is None:
            trust = document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "pods.eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                    }
                ]
            )
            role = aws.iam.Role(
                f"{self._name}-shipper",
                assume_role_policy=to_json(trust),
                description="EKS container log shipping (amazon-cloudwatch-observability)",
                tags=self._tags,
                opts=child(self),
            )
            partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
            aws.iam.RolePolicyAttachment(
                f"{self._name}-shipper-policy",
                role=role.name,
                policy_arn=partition.partition.apply(
                    lambda p: f"arn:{p}:iam::aws:policy/{SHIPPER_POLICY}"
                ),
                opts=child(self),
            )
            self._shipper_role = role
        return self._shipper_role
