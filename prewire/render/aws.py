"""Mock answers for pulumi-aws: ids, names and ARNs as AWS would give them, derived
deterministically from the logical names, and the invokes programs call all the time."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from prewire.core.vocabulary import Cloud
from prewire.render.policy_document import render_policy_document
from prewire.render.providers import ACCOUNT_NUMBER, digest, provider

ACCOUNT_ID = ACCOUNT_NUMBER
DEFAULT_REGION = "us-east-1"

# EC2-style ids for the resource kinds responders and rules look up by id.
ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/volume:Volume": "vol-",
    "aws:ec2/networkInterface:NetworkInterface": "eni-",
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": "policy-",
}
ZONE_IDS = {"us-east-1": "use1", "us-west-2": "usw2", "eu-west-1": "euw1", "eu-central-1": "euc1"}


def split_token(token: str) -> tuple[str, str, str]:
    """'aws:s3/bucket:Bucket' -> ('aws', 's3', 'Bucket')."""
    package, middle, kind = [*token.split(":"), "", ""][:3]
    return package, middle.split("/")[0], kind


@dataclass(frozen=True)
class AwsAccount:
    """The AWS provider of a render: one account in one region."""

    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    packages: ClassVar[tuple[str, ...]] = ("aws",)

    def location_of(self, outputs: dict[str, Any]) -> str:
        return self.region

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional and service not in ("iam", "s3") else ""
        account = "" if service == "s3" else self.account_id
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    # -- resources ----------------------------------------------------------------------------
    def resource(self, token: str, name: str, out: dict[str, Any]) -> str:
        """Fill `out` with the ids, names and ARN AWS computes and return the resource id."""
        _, service, kind = split_token(token)
        service = service.replace("lambda_", "lambda")
        suffix = digest(token + name, 7)
        physical = str(out.get("name") or f"{name}-{suffix}")
        prefix = ID_PREFIXES.get(token)
        resource_id = f"{prefix}{digest(token + name, 17)}" if prefix else physical
        special: dict[str, Callable[[], str]] = {
            "aws:s3/bucket:Bucket": lambda: self._bucket(out, name, suffix),
            "aws:s3/bucketV2:BucketV2": lambda: self._bucket(out, name, suffix),
            "aws:kms/key:Key": lambda: self._key(out, name),
            "aws:iam/role:Role": lambda: self._iam(out, "role", physical),
            "aws:iam/policy:Policy": lambda: self._iam(out, "policy", physical),
            "aws:iam/user:User": lambda: self._iam(out, "user", physical),
            "aws:sqs/queue:Queue": lambda: self._queue(out, physical),
            "aws:sns/topic:Topic": lambda: self._named(out, self.arn("sns", physical), physical),
            "aws:cloudwatch/logGroup:LogGroup": lambda: self._named(
                out, self.arn("logs", f"log-group:{physical}"), physical
            ),
            "aws:lambda/function:Function": lambda: self._named(
                out, self.arn("lambda", f"function:{physical}"), physical
            ),
            "aws:cloudtrail/trail:Trail": lambda: self._named(
                out, self.arn("cloudtrail", f"trail/{physical}"), physical
            ),
            "aws:ssm/parameter:Parameter": lambda: self._named(
                out, self.arn("ssm", f"parameter{physical}"), physical
            ),
            "aws:backup/vault:Vault": lambda: self._named(
                out, self.arn("backup", f"backup-vault:{physical}"), physical
            ),
            "aws:backup/plan:Plan": lambda: self._named(
                out,
                self.arn("backup", f"backup-plan:{uuid.UUID(digest(name, 32))}"),
                str(uuid.UUID(digest(name, 32))),
            ),
            "aws:guardduty/detector:Detector": lambda: self._named(
                out, self.arn("guardduty", f"detector/{digest(name, 32)}"), digest(name, 32)
            ),
            "aws:eks/cluster:Cluster": lambda: self._cluster(out, physical),
        }
        if token in special:
            return special[token]()
        out.setdefault("arn", self.arn(service, f"{kind[0].lower()}{kind[1:]}/{physical}"))
        if "name" not in out and kind not in ("Policy",):
            out["name"] = physical
        out.setdefault("id", resource_id)
        return resource_id

    def _named(self, out: dict[str, Any], arn: str, physical: str) -> str:
        out.setdefault("name", physical)
        out.setdefault("arn", arn)
        return physical

    def _bucket(self, out: dict[str, Any], name: str, suffix: str) -> str:
        bucket = str(out.get("bucket") or f"{name}-{suffix}")
        out.update(bucket=bucket, arn=f"arn:aws:s3:::{bucket}", region=self.region)
        return bucket

    def _key(self, out: dict[str, Any], name: str) -> str:
        key_id = str(uuid.UUID(digest(name, 32)))
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

    def _cluster(self, out: dict[str, Any], physical: str) -> str:
        marker = digest(physical, 32).upper()
        out.setdefault("endpoint", f"https://{marker}.gr7.{self.region}.eks.amazonaws.com")
        out.setdefault(
            "identities",
            [{"oidcs": [{"issuer": f"https://oidc.eks.{self.region}.amazonaws.com/id/{marker}"}]}],
        )
        return self._named(out, self.arn("eks", f"cluster/{physical}"), physical)

    # -- invokes ------------------------------------------------------------------------------
    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The result of an invoke computed from its arguments, or None if it is not modelled."""
        answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller,
            "aws:index/getRegion:getRegion": self._region,
            "aws:index/getPartition:getPartition": lambda _: {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsPrefix": "com.amazonaws",
            },
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:ec2/getVpc:getVpc": self._vpc,
            "aws:ec2/getSubnets:getSubnets": lambda _: {
                "ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                "id": self.region,
            },
            "aws:ec2/getAmi:getAmi": self._ami,
            "aws:iam/getPolicyDocument:getPolicyDocument": render_policy_document,
            "aws:iam/getPolicy:getPolicy": self._managed_policy,
            "aws:iam/getRole:getRole": lambda a: {
                "name": a.get("name"),
                "id": a.get("name"),
                "arn": f"arn:aws:iam::{self.account_id}:role/{a.get('name')}",
            },
            "aws:iam/getSessionContext:getSessionContext": lambda a: {
                "arn": a.get("arn"),
                "issuerArn": a.get("arn"),
                "issuerName": str(a.get("arn", "")).rsplit("/", 1)[-1],
            },
        }
        answer = answers.get(token)
        return answer(args) if answer else None

    def _caller(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "accountId": self.account_id,
            "arn": f"arn:aws:iam::{self.account_id}:user/prewire-render",
            "userId": "AIDAPREWIRERENDER",
            "id": self.account_id,
        }

    def _region(self, args: dict[str, Any]) -> dict[str, Any]:
        region = str(args.get("region") or args.get("name") or self.region)
        return {
            "name": region,
            "region": region,
            "id": region,
            "description": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
        }

    def _zones(self, _: dict[str, Any]) -> dict[str, Any]:
        short = ZONE_IDS.get(self.region, self.region.replace("-", "")[:4])
        return {
            "names": [f"{self.region}{z}" for z in "abc"],
            "zoneIds": [f"{short}-az{n}" for n in (1, 2, 3)],
            "id": self.region,
            "groupNames": [self.region],
        }

    def _vpc(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc_id = str(args.get("id") or "vpc-0default00000000")
        return {
            "id": vpc_id,
            "cidrBlock": "172.31.0.0/16",
            "default": not args.get("id"),
            "arn": self.arn("ec2", f"vpc/{vpc_id}"),
            "ownerId": self.account_id,
        }

    def _ami(self, args: dict[str, Any]) -> dict[str, Any]:
        names = [
            str(v)
            for f in args.get("filters") or []
            if f.get("name") == "name"
            for v in f.get("values") or []
        ]
        name = (names[0] if names else "prewire-mock-image").replace("*", "2026.01.01")
        image = f"ami-{digest(repr(sorted(args.items(), key=str)), 17)}"
        owners = [str(o) for o in args.get("owners") or []]
        return {
            "id": image,
            "imageId": image,
            "name": name,
            "architecture": "arm64" if "arm64" in name else "x86_64",
            "ownerId": owners[0] if owners and owners[0].isdigit() else "137112412989",
            "rootDeviceName": "/dev/xvda",
            "rootDeviceType": "ebs",
            "virtualizationType": "hvm",
            "state": "available",
            "arn": f"arn:aws:ec2:{self.region}::image/{image}",
        }

    def _managed_policy(self, args: dict[str, Any]) -> dict[str, Any]:
        arn = str(args.get("arn") or f"arn:aws:iam::aws:policy/{args.get('name')}")
        name = arn.rsplit("/", 1)[-1]
        return {"arn": arn, "name": name, "id": arn, "path": "/"}


@provider(Cloud.AWS)
def aws_provider(config: Mapping[str, str]) -> AwsAccount:
    return AwsAccount(config.get("aws:region", DEFAULT_REGION))
