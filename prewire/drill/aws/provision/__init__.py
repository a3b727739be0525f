"""Provision a rendered stack into an AWS endpoint through the cloud APIs (the emulator path).

The kit's stack is rendered offline (Pulumi mocks) and each resource is created with the API
call Pulumi's provider would make. Ids the service assigns (security groups, keys, detectors)
replace the rendered placeholders in every later input, so references between resources hold.
Only the resource types the kit's stack uses are handled; any other type, or one the target
does not implement, is listed in `Provisioned.not_created` with the reason, never skipped
silently. `pulumi up` is how real accounts are provisioned.
"""

from __future__ import annotations

from collections.abc import Mapping

import botocore.exceptions

from prewire.core import tokens as t
from prewire.drill.aws.provision.compute import create_document, create_parameter
from prewire.drill.aws.provision.detection import (
    create_delivery_channel,
    create_detector,
    create_detector_feature,
    create_queue,
    create_queue_policy,
    create_recorder,
    create_recorder_status,
    create_rule,
    create_subscription,
    create_target,
    create_topic,
    create_topic_policy,
)
from prewire.drill.aws.provision.identity import (
    create_attachment,
    create_policy,
    create_role,
    create_role_policy,
)
from prewire.drill.aws.provision.network import (
    create_flow_log,
    create_ingress_rule,
    create_security_group,
)
from prewire.drill.aws.provision.run import Handler, Run
from prewire.drill.aws.provision.serverless import create_function, create_lambda_permission
from prewire.drill.aws.provision.storage import (
    create_alias,
    create_bucket,
    create_dlm_policy,
    create_key,
    create_log_group,
    create_plan,
    create_selection,
    create_vault,
    create_vault_lock,
    encryption_rule,
    lifecycle_rules,
    lock_rule,
    s3_call,
)
from prewire.drill.aws.provision.trail import create_trail
from prewire.drill.provisioning import Provisioned
from prewire.render import Graph
from responders.aws.session import AwsClients, error_code, is_api_gap

HANDLERS: dict[str, Handler] = {
    t.KMS_KEY: create_key,
    t.KMS_ALIAS: create_alias,
    t.S3_BUCKET: create_bucket,
    t.S3_VERSIONING: s3_call(
        "put_bucket_versioning",
        lambda i: {"VersioningConfiguration": {"Status": i["versioningConfiguration"]["status"]}},
    ),
    t.S3_OBJECT_LOCK: s3_call("put_object_lock_configuration", lock_rule),
    t.S3_ENCRYPTION: s3_call("put_bucket_encryption", encryption_rule),
    t.S3_PUBLIC_ACCESS_BLOCK: s3_call(
        "put_public_access_block",
        lambda i: {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": i["blockPublicAcls"],
                "BlockPublicPolicy": i["blockPublicPolicy"],
                "IgnorePublicAcls": i["ignorePublicAcls"],
                "RestrictPublicBuckets": i["restrictPublicBuckets"],
            }
        },
    ),
    t.S3_OWNERSHIP: s3_call(
        "put_bucket_ownership_controls",
        lambda i: {
            "OwnershipControls": {"Rules": [{"ObjectOwnership": i["rule"]["objectOwnership"]}]}
        },
    ),
    t.S3_LOGGING: s3_call(
        "put_bucket_logging",
        lambda i: {
            "BucketLoggingStatus": {
                "LoggingEnabled": {
                    "TargetBucket": i["targetBucket"],
                    "TargetPrefix": i["targetPrefix"],
                }
            }
        },
    ),
    t.S3_POLICY: s3_call("put_bucket_policy", lambda i: {"Policy": i["policy"]}),
    t.S3_LIFECYCLE: s3_call("put_bucket_lifecycle_configuration", lifecycle_rules),
    t.LOG_GROUP: create_log_group,
    t.IAM_ROLE: create_role,
    t.IAM_ROLE_POLICY: create_role_policy,
    t.IAM_ROLE_POLICY_ATTACHMENT: create_attachment,
    t.IAM_POLICY: create_policy,
    t.CLOUDTRAIL: create_trail,
    t.FLOW_LOG: create_flow_log,
    t.SECURITY_GROUP: create_security_group,
    t.SG_INGRESS_RULE: create_ingress_rule,
    t.GUARDDUTY_DETECTOR: create_detector,
    t.GUARDDUTY_FEATURE: create_detector_feature,
    t.CONFIG_RECORDER: create_recorder,
    t.CONFIG_DELIVERY_CHANNEL: create_delivery_channel,
    t.CONFIG_RECORDER_STATUS: create_recorder_status,
    t.BACKUP_VAULT: create_vault,
    t.BACKUP_VAULT_LOCK: create_vault_lock,
    t.BACKUP_PLAN: create_plan,
    t.BACKUP_SELECTION: create_selection,
    t.SNS_TOPIC: create_topic,
    t.SNS_TOPIC_POLICY: create_topic_policy,
    t.SNS_SUBSCRIPTION: create_subscription,
    t.EVENT_RULE: create_rule,
    t.EVENT_TARGET: create_target,
    t.SQS_QUEUE: create_queue,
    t.SQS_QUEUE_POLICY: create_queue_policy,
    t.LAMBDA_FUNCTION: create_function,
    t.LAMBDA_PERMISSION: create_lambda_permission,
    t.DLM_POLICY: create_dlm_policy,
    t.SSM_PARAMETER: create_parameter,
    t.SSM_DOCUMENT: create_document,
}


def provision(
    graph: Graph, clients: AwsClients, *, known: Mapping[str, str] | None = None
) -> Provisioned:
    """Create every custom resource of `graph` in order; report what could not be created.

    `known` maps values the graph was rendered with to real ones (e.g. a placeholder VPC id).
    """
    run = Run(clients, Provisioned(replacements=dict(known or {})))
    failed_urns: set[str] = set()
    for resource in graph:
        if not resource.custom:
            continue
        handler = HANDLERS.get(resource.type)
        if handler is None:
            run.result.not_created[resource.label] = "resource type not provisioned on the emulator"
            continue
        blocked = [u for u in resource.dependencies if u in failed_urns]
        if blocked:
            run.result.not_created[resource.label] = (
                f"depends on {blocked[0].split('::')[-1]}, not created"
            )
            failed_urns.add(resource.urn)
            continue
        try:
            replacements = handler(run, resource, run.substitute(dict(resource.inputs)))
        except botocore.exceptions.ClientError as error:
            reason = (
                "not implemented by the target"
                if is_api_gap(error)
                else f"{error_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
            )
            run.result.not_created[resource.label] = reason.strip()
            failed_urns.add(resource.urn)
            continue
        except (KeyError, ValueError, RuntimeError) as error:
            run.result.not_created[resource.label] = f"{type(error).__name__}: {error}"
            failed_urns.add(resource.urn)
            continue
        run.result.replacements.update({k: v for k, v in replacements.items() if k and k != v})
        run.result.created.append(resource.label)
    return run.result
