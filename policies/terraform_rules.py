"""The control logic as checks over Terraform resource configurations (for checkov custom checks).

Terraform users run these with `checkov --external-checks-dir policies/checkov`. Each check turns
the Terraform configuration back into the camelCase shape the static rules read and calls the
same rule function `prewire check` uses; nothing is written twice. Only the standard library and
prewire's pure-Python rule modules are imported, so this runs inside checkov's own environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policies.catalogue import get
from policies.static.aws import common as common_rules
from policies.static.aws import compute as compute_rules
from policies.static.aws import containers as containers_rules
from policies.static.aws import network as network_rules
from policies.static.aws import serverless as serverless_rules
from policies.static.aws import trail as trail_rules
from policies.static.engine import NOT_APPLICABLE, Context
from policies.tfplan import SINGULAR, tf_type
from prewire.core import tokens
from prewire.core.graph import Resource

PLURAL = {singular: plural for plural, singular in SINGULAR.items() if plural != singular}
# Blocks Pulumi keeps singular for some types (the Object Lock configuration has one `rule`).
SINGULAR_IN = {"aws_s3_bucket_object_lock_configuration": {"rule"}}
# Terraform type -> Pulumi type token, for the tokens the rules know.
TOKEN_OF = {
    kind: token
    for token in vars(tokens).values()
    if isinstance(token, str) and token.startswith("aws:") and (kind := tf_type(token))
}
# Repeated blocks the rules read as lists even when only one is written.
LIST_BLOCKS = set(PLURAL) | {"ingress", "egress", "enabled_cluster_log_types"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _convert(key: str, value: Any, keep: set[str]) -> Any:
    if isinstance(value, list):
        items = [_from_terraform(v, keep) if isinstance(v, dict) else v for v in value]
        if key in LIST_BLOCKS and key not in keep:
            return items
        return items[0] if len(items) == 1 else items
    if isinstance(value, dict):
        return _from_terraform(value, keep)
    return value


def _from_terraform(conf: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    converted = {}
    for key, value in conf.items():
        if key.startswith("__") or key in ("count", "for_each", "depends_on", "provider"):
            continue
        name = key if key in keep else PLURAL.get(key, key)
        converted[camel(name)] = _convert(key, value, keep)
    return converted


def resource_from_terraform(kind: str, name: str, conf: dict[str, Any]) -> Resource:
    inputs = _from_terraform(conf, SINGULAR_IN.get(kind, set()))
    return Resource(
        urn=f"terraform::{kind}::{name}",
        type=TOKEN_OF.get(kind, kind),
        name=name,
        inputs=inputs,
        outputs={"id": name},
    )


Predicate = Callable[[Resource, Context], Any]


@dataclass(frozen=True)
class TerraformCheck:
    control_id: str
    tf_types: tuple[str, ...]
    predicate: Predicate

    @property
    def checkov_id(self) -> str:
        return "CKV_PREWIRE_" + self.control_id.replace("-", "_")

    @property
    def title(self) -> str:
        return f"prewire {self.control_id}: {get(self.control_id).title}"

    def evaluate(self, tf_type: str, name: str, conf: dict[str, Any]) -> str | None:
        """None when the control holds for this resource, else the problem."""
        result = self.predicate(resource_from_terraform(tf_type, name, conf), Context())
        return None if result is NOT_APPLICABLE else result


def _data_events(resource_type: str) -> Predicate:
    def predicate(trail: Resource, context: Context) -> str | None:
        if common_rules.selects(trail, resource_type):
            return None
        return f"no {resource_type} data events recorded"

    return predicate


CHECKS = (
    TerraformCheck(
        "AWS-TRAIL-001", ("aws_cloudtrail",), lambda r, c: common_rules.multi_region_problem(r)
    ),
    TerraformCheck("AWS-TRAIL-002", ("aws_cloudtrail",), trail_rules.trail_validation),
    TerraformCheck("AWS-TRAIL-003", ("aws_cloudtrail",), trail_rules.trail_kms),
    TerraformCheck("AWS-TRAIL-004", ("aws_cloudtrail",), trail_rules.trail_cloudwatch),
    TerraformCheck("AWS-TRAIL-005", ("aws_cloudtrail",), _data_events("AWS::S3::Object")),
    TerraformCheck("AWS-TRAIL-006", ("aws_cloudtrail",), _data_events("AWS::Lambda::Function")),
    TerraformCheck("AWS-TRAIL-007", ("aws_cloudtrail",), trail_rules.trail_global_events),
    TerraformCheck(
        "AWS-STORE-002", ("aws_s3_bucket_object_lock_configuration",), common_rules.lock_problem
    ),
    TerraformCheck(
        "AWS-STORE-007", ("aws_s3_bucket_lifecycle_configuration",), common_rules.lifecycle_problem
    ),
    TerraformCheck("AWS-FLOW-002", ("aws_flow_log",), network_rules.flow_log_fields),
    TerraformCheck("AWS-EKS-001", ("aws_eks_cluster",), containers_rules.eks_logging),
    TerraformCheck("AWS-LAMBDA-001", ("aws_lambda_function",), serverless_rules.lambda_versions),
    TerraformCheck("AWS-ECS-001", ("aws_ecs_cluster",), containers_rules.ecs_exec_logging),
    TerraformCheck("AWS-ECS-002", ("aws_ecs_task_definition",), containers_rules.ecs_log_driver),
    TerraformCheck("AWS-LOGS-001", ("aws_cloudwatch_log_group",), trail_rules.log_retention),
    TerraformCheck(
        "AWS-EBS-001", ("aws_instance", "aws_launch_template"), compute_rules.critical_volumes_kept
    ),
    TerraformCheck("AWS-ASG-001", ("aws_autoscaling_group",), compute_rules.termination_hook),
)
