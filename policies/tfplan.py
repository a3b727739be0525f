"""Export a rendered Pulumi graph as Terraform plan JSON, for checkov's terraform_plan framework.

pulumi-aws and pulumi-gcp are bridged from the Terraform providers, so a rendered resource maps
onto a Terraform resource type: type tokens become `aws_*` and `google_*` types, camelCase inputs
become snake_case attributes (Pulumi's plural names for repeated blocks back to Terraform's
singular), single nested blocks become one-element lists as Terraform writes them, and property
dependencies become `configuration` references so checkov's graph checks connect resources.
"""

from __future__ import annotations

import json
import re
from typing import Any

from prewire.core.graph import Graph, Resource

# Terraform types whose name does not follow aws_<module>_<kind>.
TYPE_OVERRIDES = {
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "google_project_iam_audit_config",
    "gcp:projects/iAMCustomRole:IAMCustomRole": "google_project_iam_custom_role",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "google_kms_crypto_key_iam_member",
    "gcp:pubsub/topicIAMMember:TopicIAMMember": "google_pubsub_topic_iam_member",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:networkmanagement/vpcFlowLogsConfig:VpcFlowLogsConfig": (
        "google_network_management_vpc_flow_logs_config"
    ),
    "gcp:securitycenter/v2OrganizationNotificationConfig:V2OrganizationNotificationConfig": (
        "google_scc_v2_organization_notification_config"
    ),
    "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig": (
        "google_scc_v2_project_notification_config"
    ),
}
PROVIDERS = {"aws": ("aws", "hashicorp/aws"), "gcp": ("google", "hashicorp/google")}
# Modules whose Terraform types carry no module prefix (aws_instance, aws_flow_log, aws_vpc).
UNPREFIXED_MODULES = {"ec2"}
# Pulumi pluralises repeated blocks; Terraform names them in the singular.
SINGULAR = {
    "advanced_event_selectors": "advanced_event_selector",
    "field_selectors": "field_selector",
    "event_selectors": "event_selector",
    "data_resources": "data_resource",
    "insight_selectors": "insight_selector",
    "rules": "rule",
    "starts_withs": "starts_with",
    "ends_withs": "ends_with",
    "not_starts_withs": "not_starts_with",
    "not_ends_withs": "not_ends_with",
    "schedules": "schedule",
    "selection_tags": "selection_tag",
    "transitions": "transition",
    "noncurrent_version_transitions": "noncurrent_version_transition",
    "ebs_block_devices": "ebs_block_device",
    "ephemeral_block_devices": "ephemeral_block_device",
    "block_device_mappings": "block_device_mapping",
    "network_interfaces": "network_interface",
    "additional_configurations": "additional_configuration",
    "initial_lifecycle_hooks": "initial_lifecycle_hook",
    "statements": "statement",
    "denies": "deny",
    "allows": "allow",
    "audit_log_configs": "audit_log_config",
    "conditions": "conditions",
    "target_group_arns": "target_group_arns",
}
# Attributes that are maps in Terraform (not nested blocks): keep as objects.
MAP_ATTRIBUTES = {
    "tags",
    "tags_all",
    "variables",
    "target_tags",
    "tags_to_add",
    "recovery_point_tags",
    "options",
    "environment_variables",
    "labels",
}

CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(name: str) -> str:
    return CAMEL.sub("_", name).lower()


def tf_type(token: str) -> str | None:
    if token in TYPE_OVERRIDES:
        return TYPE_OVERRIDES[token]
    package, middle, kind = ([*token.split(":"), "", ""])[:3]
    if package not in PROVIDERS or not middle:
        return None
    prefix = PROVIDERS[package][0]
    module = middle.split("/")[0].replace("lambda_", "lambda")
    kind_snake = snake(kind)
    if package == "aws" and module in UNPREFIXED_MODULES:
        return f"{prefix}_{kind_snake}"
    if kind_snake.startswith(module):
        return f"{prefix}_{kind_snake}"
    return f"{prefix}_{module}_{kind_snake}"


def _value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        if key in MAP_ATTRIBUTES:
            return value
        return [_values(value)]
    if isinstance(value, list):
        return [_values(v) if isinstance(v, dict) else _scalar(v) for v in value]
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _values(inputs: dict[str, Any]) -> dict[str, Any]:
    converted = {}
    for key, value in inputs.items():
        if key.startswith("$") or key == "__defaults":
            continue
        name = snake(key)
        name = SINGULAR.get(name, name)
        converted[name] = _value(name, value)
    return converted


def _addresses(graph: Graph) -> dict[str, str]:
    """A unique Terraform address per exported resource."""
    addresses: dict[str, str] = {}
    taken: set[str] = set()
    for resource in graph:
        kind = tf_type(resource.type) if resource.custom else None
        if kind is None:
            continue
        base = re.sub(r"[^A-Za-z0-9_]", "_", resource.name) or "r"
        if not base[0].isalpha():
            base = f"r_{base}"
        address, n = f"{kind}.{base}", 1
        while address in taken:
            n += 1
            address = f"{kind}.{base}_{n}"
        taken.add(address)
        addresses[resource.urn] = address
    return addresses


def export(graph: Graph) -> tuple[dict[str, Any], dict[str, Resource]]:
    """(plan JSON document, Terraform address -> rendered resource)."""
    addresses = _addresses(graph)
    planned, changes, configured = [], [], []
    by_address: dict[str, Resource] = {}
    for resource in graph:
        address = addresses.get(resource.urn)
        if address is None:
            continue
        kind, name = address.split(".", 1)
        values = _values(dict(resource.inputs))
        by_address[address] = resource
        common = {
            "address": address,
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_name": f"registry.terraform.io/{_provider(resource.type)}",
        }
        planned.append({**common, "schema_version": 0, "values": values})
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {},
                },
            }
        )
        expressions = {}
        for prop, urns in resource.property_dependencies.items():
            references = [r for u in urns if (r := addresses.get(u))]
            if references:
                expressions[SINGULAR.get(snake(prop), snake(prop))] = {
                    "references": [ref for r in references for ref in (f"{r}.id", r)]
                }
        configured.append({**common, "expressions": expressions})
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": configured}},
    }
    return plan, by_address


def _provider(token: str) -> str:
    return PROVIDERS.get(token.split(":", 1)[0], ("", "hashicorp/aws"))[1]


def dumps(graph: Graph) -> str:
    return json.dumps(export(graph)[0], indent=2, default=str)
