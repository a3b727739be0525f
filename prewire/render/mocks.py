"""Pulumi mocks that make any program render offline with plausible values.

Resources get deterministic ids, names and ARNs derived from their logical names, so a rendered
graph is the same on every run. The common invokes (caller identity, region, partition,
availability zones, default VPC) are answered; any other invoke returns an empty result and is
recorded, so callers can report it instead of crashing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from prewire.graph import Invoke
from prewire.render.azure_mocks import SUBSCRIPTION_ID, azure_resource
from prewire.render.gcp_mocks import PROJECT, gcp_invoke, gcp_resource

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _split_token(token: str) -> tuple[str, str, str]:
    """'aws:s3/bucket:Bucket' -> ('aws', 's3', 'Bucket')."""
    package, middle, kind = [*token.split(":"), "", ""][:3]
    return package, middle.split("/")[0], kind


# EC2-style ids for the resource kinds responders and rules look up by id.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": "policy-",
}


@dataclass
class RenderMocks(Mocks):
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    subscription_id: str = SUBSCRIPTION_ID
    gcp_project: str = PROJECT
    invokes: list[Invoke] = field(default_factory=list)

    # -- resources ------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.resource_id:  # a `get` of an existing resource
            return args.resource_id, dict(args.inputs)
        package, _, _ = _split_token(args.typ)
        outputs = dict(args.inputs)
        if package == "aws":
            resource_id = self._aws(args.typ, args.name, outputs)
        elif package == "azure-native":
            resource_id = azure_resource(args.typ, args.name, outputs, self.subscription_id)
        elif package == "gcp":
            resource_id = gcp_resource(args.typ, args.name, outputs, self.gcp_project)
        else:
            resource_id = f"{args.name}-{_digest(args.typ + args.name, 8)}"
            outputs.setdefault("name", args.name)
        return resource_id, outputs

    def _aws(self, token: str, name: str, out: dict[str, Any]) -> str:
        _, service, kind = _split_token(token)
        service = service.replace("lambda_", "lambda")
        suffix = _digest(token + name, 7)
        physical = str(out.get("name") or f"{name}-{suffix}")
        prefix = _ID_PREFIXES.get(token)
        resource_id = f"{prefix}{_digest(token + name, 17)}" if prefix else physical
        arn = self.arn(service, f"{kind[0].lower()}{kind[1:]}/{physical}")
        special: dict[str, Callable[[], str]] = {
            "aws:s3/bucket:Bucket": lambda: self._bucket(out, name, suffix),
            "aws:kms/key:Key": lambda: self._key(out, name),
            "aws:iam/role:Role": lambda: self._iam(out, "role", physical),
            "aws:iam/policy:Policy": lambda: self._iam(out, "policy", physical),
            "aws:iam/user:User": lambda: self._iam(out, "user", physical),
            "aws:sqs/queue:Queue": lambda: self._queue(out, physical),
            "aws:sns/topic:Topic": lambda: self._plain(out, self.arn("sns", physical), physical),
            "aws:cloudwatch/logGroup:LogGroup": lambda: self._plain(
                out, self.arn("logs", f"log-group:{physical}"), physical
            ),
            "aws:lambda/function:Function": lambda: self._plain(
                out, self.arn("lambda", f"function:{physical}"), physical
            ),
            "aws:cloudtrail/trail:Trail": lambda: self._plain(
                out, self.arn("cloudtrail", f"trail/{physical}"), physical
            ),
            "aws:ssm/parameter:Parameter": lambda: self._plain(
                out, self.arn("ssm", f"parameter{physical}"), physical
            ),
            "aws:backup/vault:Vault": lambda: self._plain(
                out, self.arn("backup", f"backup-vault:{physical}"), physical
            ),
            "aws:backup/plan:Plan": lambda: self._plain(
                out,
                self.arn("backup", f"backup-plan:{uuid.UUID(_digest(name, 32))}"),
                str(uuid.UUID(_digest(name, 32))),
            ),
            "aws:guardduty/detector:Detector": lambda: self._plain(
                out, self.arn("guardduty", f"detector/{_digest(name, 32)}"), _digest(name, 32)
            ),
        }
        if token in special:
            return special[token]()
        out.setdefault("arn", arn)
        if "name" not in out and kind not in ("Policy",):
            out["name"] = physical
        out.setdefault("id", resource_id)
        return resource_id

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional and service not in ("iam", "s3") else ""
        account = "" if service == "s3" else self.account_id
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    def _plain(self, out: dict[str, Any], arn: str, physical: str) -> str:
        out.setdefault("name", physical)
        out.setdefault("arn", arn)
        return physical

    def _bucket(self, out: dict[str, Any], name: str, suffix: str) -> str:
        bucket = str(out.get("bucket") or f"{name}-{suffix}")
        out.update(bucket=bucket, arn=f"arn:aws:s3:::{bucket}", region=self.region)
        return bucket

    def _key(self, out: dict[str, Any], name: str) -> str:
        key_id = str(uuid.UUID(_digest(name, 32)))
        out.update(keyId=key_id, arn=self.arn("kms", f"key/{key_id}"))
        return key_id

    def _iam(self, out: dict[str, Any], kind: str, physical: str) -> str:
        path = str(out.get("path") or "/")
        out.setdefault("name", physical)
        out.setdefault("arn", f"arn:aws:iam::{self.account_id}:{kind}{path}{physical}")
        return physical if kind != "policy" else str(out["arn"])

    def _queue(self, out: dict[str, Any], physical: str) -> str:
        url = f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{physical}"
        out.update(url=url, arn=self.arn("sqs", physical), name=physical)
        return url

    # -- invokes --------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self._answer(args.token, dict(args.args))
        self.invokes.append(Invoke(args.token, dict(args.args), answered=answer is not None))
        return (answer or {}), []

    def _answer(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        if token.startswith("gcp:"):
            return gcp_invoke(token, args, self.gcp_project)
        region = str(args.get("region") or args.get("name") or self.region)
        answers: dict[str, Callable[[], dict[str, Any]]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": lambda: {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/prewire-render",
                "userId": "AIDAPREWIRERENDER",
                "id": self.account_id,
            },
            "aws:index/getRegion:getRegion": lambda: {
                "name": region,
                "region": region,
                "id": region,
                "description": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
            },
            "aws:index/getPartition:getPartition": lambda: {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsPrefix": "com.amazonaws",
            },
            "aws:index/getAvailabilityZones:getAvailabilityZones": lambda: {
                "names": [f"{self.region}{z}" for z in "abc"],
                "zoneIds": [f"use1-az{n}" for n in (1, 2, 4)],
                "id": self.region,
            },
            "aws:ec2/getVpc:getVpc": lambda: {
                "id": str(args.get("id") or "vpc-0default00000000"),
                "cidrBlock": "172.31.0.0/16",
                "default": True,
                "arn": self.arn("ec2", "vpc/vpc-0default00000000"),
            },
            "aws:ec2/getSubnets:getSubnets": lambda: {
                "ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                "id": self.region,
            },
        }
        builder = answers.get(token)
        return builder() if builder else None
