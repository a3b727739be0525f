"""Target validation: every target of a run is checked before anything changes.

Each target kind validates in as few calls as it can (all instances in one DescribeInstances),
and a bad target stops the whole run with a one-line `InputError` (exit 2, nothing changed).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import botocore.exceptions

from prewire.core.vocabulary import Cloud
from responders.aws.case import AwsCase
from responders.aws.session import error_code
from responders.registry import target_validator
from responders.runtime import InputError

# Whole-string matches (fullmatch) in ASCII: IAM names are ASCII, and `\w` would otherwise admit
# look-alike letters from other scripts.
INSTANCE_ID = re.compile(r"i-[0-9a-f]{8}([0-9a-f]{9})?")
IAM_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::\d{12}:(role|user)/([\w+=,.@/-]+/)?[\w+=,.@-]+", re.ASCII
)
SHORT_IDENTITY = re.compile(r"(role|user)/[\w+=,.@-]+", re.ASCII)

Validator = Callable[[AwsCase, Sequence[str]], None]


def describe_instances(case: AwsCase, instance_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Describe instances in one call; unknown ids are an input error naming the region."""
    bad = [i for i in instance_ids if not INSTANCE_ID.fullmatch(i)]
    if bad:
        raise InputError(f"not an EC2 instance id: {', '.join(bad)}")
    try:
        pages = case.clients.ec2.get_paginator("describe_instances").paginate(
            InstanceIds=list(instance_ids)
        )
        found = {
            i["InstanceId"]: dict(i)
            for page in pages
            for r in page["Reservations"]
            for i in r["Instances"]
        }
    except botocore.exceptions.ClientError as error:
        code = error_code(error)
        if code.startswith("InvalidInstanceID"):
            missing = _ids_in(error) or ", ".join(instance_ids)
            raise InputError(
                f"instance not found in {case.clients.region}: {missing}"
                " (wrong region? pass --region)"
            ) from error
        if code in ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException"):
            raise InputError(
                f"not allowed to describe instances ({code}): check the role"
            ) from error
        raise
    absent = [i for i in instance_ids if i not in found]
    if absent:
        raise InputError(f"instance not found in {case.clients.region}: {', '.join(absent)}")
    case.remember(found)
    return found


REFRESH_BATCH = 500  # DescribeInstances takes up to 1,000 ids


def describe_instance(case: AwsCase, instance_id: str) -> dict[str, Any]:
    """The instance as this run last saw it; described again once an action changed it.

    A fleet changes hundreds of instances: the first one described again brings every other
    changed instance of the run with it, in one DescribeInstances (its bucket, not the workers,
    would otherwise set the pace)."""
    found = case.remembered(instance_id)
    if found is not None:
        return found
    with case.shared("describe-lock", threading.Lock):
        found = case.remembered(instance_id)  # described by another worker meanwhile
        if found is not None:
            return found
        stale = [i for i in case.stale_ids() if i != instance_id][: REFRESH_BATCH - 1]
        described = describe_instances(case, [instance_id, *stale])
        case.refreshed(list(described))
        return described[instance_id]


def _ids_in(error: botocore.exceptions.ClientError) -> str:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return ", ".join(re.findall(r"i-[0-9a-f]+", message))


def _validate_instances(case: AwsCase, targets: Sequence[str]) -> None:
    describe_instances(case, targets)


def _validate_identities(case: AwsCase, targets: Sequence[str]) -> None:
    instances = [t for t in targets if t.startswith("i-")]
    if instances:
        describe_instances(case, instances)
    bad = [
        t
        for t in targets
        if not t.startswith("i-") and not IAM_ARN.fullmatch(t) and not SHORT_IDENTITY.fullmatch(t)
    ]
    if bad:
        raise InputError(
            f"not an identity (instance id, role/NAME, user/NAME or IAM ARN): {', '.join(bad)}"
        )


def _validate_functions(case: AwsCase, targets: Sequence[str]) -> None:
    for name in targets:
        try:
            case.clients.lambda_.get_function_configuration(FunctionName=name)
        except botocore.exceptions.ClientError as error:
            raise InputError(
                f"function {name} not found in {case.clients.region} ({error_code(error)})"
            ) from error


def _validate_clusters(case: AwsCase, targets: Sequence[str]) -> None:
    for name in targets:
        try:
            case.clients.eks.describe_cluster(name=name)
        except botocore.exceptions.ClientError as error:
            raise InputError(
                f"EKS cluster {name} not found in {case.clients.region} ({error_code(error)})"
            ) from error


def _validate_services(case: AwsCase, targets: Sequence[str]) -> None:
    for target in targets:
        cluster, _, service = target.partition("/")
        if not cluster:
            raise InputError(f"ECS target {target!r}: expected CLUSTER or CLUSTER/SERVICE")
        described = case.clients.ecs.describe_clusters(clusters=[cluster])
        if not [c for c in described["clusters"] if c.get("status") == "ACTIVE"]:
            raise InputError(f"ECS cluster {cluster} not found in {case.clients.region}")
        if service:
            services = case.clients.ecs.describe_services(cluster=cluster, services=[service])
            if not [s for s in services["services"] if s.get("status") == "ACTIVE"]:
                raise InputError(f"ECS service {service} not found in cluster {cluster}")


VALIDATORS: dict[str, Validator] = {
    "instance": _validate_instances,
    "identity": _validate_identities,
    "function": _validate_functions,
    "eks-cluster": _validate_clusters,
    "ecs-service": _validate_services,
    "subject": _validate_identities,  # an instance or an identity
}


@target_validator(Cloud.AWS)
def validate(case: AwsCase, kind: str, targets: Sequence[str]) -> None:
    if not targets:
        raise InputError("no target given: pass --target ID")
    VALIDATORS[kind](case, targets)
