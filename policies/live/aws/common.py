"""What the AWS live checks share: answers that mean not configured, and API shapes turned into
the resources the static rules read."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from policies.live.aws.context import AwsLiveContext
from policies.static.engine import Context
from prewire.core.graph import Resource
from responders.aws.session import error_code

NOT_CONFIGURED = {
    "ObjectLockConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "NoSuchLifecycleConfiguration",
    "NoSuchTagSet",
    "NoSuchEntity",
    "ResourceNotFoundException",
    "InvalidDocument",
}


def camel_keys(value: Any) -> Any:
    """AWS API shapes (PascalCase) into the camelCase shape the static rules read."""
    if isinstance(value, dict):
        return {
            (k.lower() if k.isupper() else k[:1].lower() + k[1:]): camel_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def as_resource(kind: str, name: str, data: dict[str, Any]) -> Resource:
    return Resource(
        urn=f"live::{kind}::{name}",
        type=kind,
        name=name,
        inputs=camel_keys(data),
        outputs={"id": name},
    )


def optional(call: Any, **params: Any) -> Any:
    """The call's result, or None when the thing is simply not configured."""
    try:
        return call(**params)
    except botocore.exceptions.ClientError as error:
        if error_code(error) in NOT_CONFIGURED:
            return None
        raise


def context_of(ctx: AwsLiveContext) -> Context:
    return Context(retention_days=ctx.retention_days)
