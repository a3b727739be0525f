"""Canary resources for a drill in a real (sandbox) account, and their removal.

A canary instance (two volumes, an instance role with SSM access) in a prewired VPC, an IAM user
with two access keys and a function with several versions and a backdoored `$LATEST`, all tagged
`prewire:drill=<id>`. Teardown removes exactly those, and only after the drill is over; the
evidence the responders took of them (snapshots, objects in the evidence store) stays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import botocore.exceptions

from prewire.drill.aws.victim import (
    DRILL_TAG,
    Network,
    Victim,
    function_with_versions,
    instance_identity,
)
from responders.aws.discovery import Prewired
from responders.aws.session import AwsClients, error_code
from responders.runtime import InputError

T = TypeVar("T")
PROPAGATION_SECONDS = 120  # a new role reaches EC2 and Lambda within about a minute
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
GONE = ("NotFound", "NoSuchEntity", "ResourceNotFoundException")


def eventually(call: Callable[[], T], retry_on: tuple[str, ...], *, timeout: float) -> T:
    """Retry while AWS reports a not-yet-propagated dependency (a new role or profile)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except botocore.exceptions.ClientError as error:
            message = str(error.response.get("Error", {}).get("Message", ""))
            transient = error_code(error) in retry_on or "cannot be assumed" in message
            if not transient or time.monotonic() > deadline:
                raise
            time.sleep(3)


def canary_ami(clients: AwsClients, explicit: str | None) -> str:
    if explicit:
        return explicit
    try:
        return str(clients.ssm.get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"])
    except botocore.exceptions.ClientError as error:
        raise InputError(
            f"no Amazon Linux AMI found at {AMI_PARAMETER} ({error_code(error)}): pass --canary-ami"
        ) from error


def canary_network(clients: AwsClients, prewired: Prewired) -> Network:
    """A prewired VPC (one with an isolation group) that has a subnet, and its default group."""
    ec2 = clients.ec2
    for vpc in sorted(prewired.isolation_groups):
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        if not subnets:
            continue
        default = ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc]},
                {"Name": "group-name", "Values": ["default"]},
            ]
        )["SecurityGroups"]
        return Network(
            vpc_id=vpc,
            subnet_ids=[s["SubnetId"] for s in subnets],
            web_group=default[0]["GroupId"] if default else "",
        )
    raise InputError(
        "no prewired VPC with a subnet in this region: deploy the stack with "
        "prewire:aws.vpcIds naming a VPC that has subnets"
    )


@dataclass
class Canaries:
    """What the drill created, filled in as it goes, so teardown removes even half a setup."""

    drill: str
    instance_id: str = ""
    volume_ids: list[str] = field(default_factory=list)
    role_name: str = ""
    profile_arn: str = ""
    user_name: str = ""
    access_key_ids: list[str] = field(default_factory=list)
    function_name: str = ""
    function_versions: list[str] = field(default_factory=list)

    def victim(self, network: Network) -> Victim:
        return Victim(
            network=network,
            instance_id=self.instance_id,
            volume_ids=list(self.volume_ids),
            auto_scaling_group="",
            target_group_arn="",
            role_name=self.role_name,
            profile_arn=self.profile_arn,
            user_name=self.user_name,
            access_key_ids=list(self.access_key_ids),
            function_name=self.function_name,
            function_versions=list(self.function_versions),
            eks_cluster="",
            eks_node="",
            ecs_cluster="",
            ecs_service="",
            ecs_task="",
        )

    def describe(self) -> str:
        return (
            f"instance {self.instance_id or '-'} (volumes {', '.join(self.volume_ids) or '-'}), "
            f"role {self.role_name or '-'}, user {self.user_name or '-'}, "
            f"function {self.function_name or '-'}"
        )


def create(clients: AwsClients, canaries: Canaries, network: Network, ami: str) -> None:
    drill, ec2, iam = canaries.drill, clients.ec2, clients.iam
    canaries.role_name, canaries.profile_arn = instance_identity(clients, drill)
    # SSM access makes the canary reachable for memory capture, like a managed workload.
    iam.attach_role_policy(RoleName=canaries.role_name, PolicyArn=SSM_CORE)
    tags: Any = [{"Key": DRILL_TAG, "Value": drill}, {"Key": "Name", "Value": f"canary-{drill}"}]
    launched = eventually(
        partial(
            ec2.run_instances,
            ImageId=ami,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            SubnetId=network.subnet_ids[0],
            SecurityGroupIds=[network.web_group] if network.web_group else [],
            IamInstanceProfile={"Arn": canaries.profile_arn},
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvdf", "Ebs": {"VolumeSize": 1, "DeleteOnTermination": True}}
            ],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": tags},
                {"ResourceType": "volume", "Tags": tags},
            ],
        ),
        ("InvalidParameterValue",),
        timeout=PROPAGATION_SECONDS,
    )
    canaries.instance_id = launched["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(
        InstanceIds=[canaries.instance_id], WaiterConfig={"Delay": 5, "MaxAttempts": 60}
    )
    described = ec2.describe_instances(InstanceIds=[canaries.instance_id])
    mappings = described["Reservations"][0]["Instances"][0].get("BlockDeviceMappings", [])
    canaries.volume_ids = [m["Ebs"]["VolumeId"] for m in mappings]
    canaries.user_name = iam.create_user(
        UserName=f"canary-{drill}", Tags=[{"Key": DRILL_TAG, "Value": drill}]
    )["User"]["UserName"]
    for _ in range(2):
        key = iam.create_access_key(UserName=canaries.user_name)["AccessKey"]["AccessKeyId"]
        canaries.access_key_ids.append(key)
    canaries.function_name, canaries.function_versions = eventually(
        partial(function_with_versions, clients, drill, canaries.role_name),
        ("InvalidParameterValueException",),
        timeout=PROPAGATION_SECONDS,
    )


class _Teardown:
    """Each removal attempted whatever failed before it; anything that failed is reported."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attempt(self, what: str, call: Callable[[], object]) -> None:
        try:
            call()
        except botocore.exceptions.ClientError as error:
            if not error_code(error).endswith(GONE):
                self.problems.append(f"{what}: {error_code(error)}")

    def empty_identity(self, iam: Any, kind: str, name: str) -> None:
        """Undo what the responders attached, so the canary identity can be deleted."""
        key = {"role": "RoleName", "user": "UserName"}[kind]
        try:
            attached = getattr(iam, f"list_attached_{kind}_policies")(**{key: name})
            inline = getattr(iam, f"list_{kind}_policies")(**{key: name})
        except botocore.exceptions.ClientError as error:
            if not error_code(error).endswith(GONE):
                self.problems.append(f"list policies of {name}: {error_code(error)}")
            return
        detach = getattr(iam, f"detach_{kind}_policy")
        for policy in attached["AttachedPolicies"]:
            self.attempt(
                f"detach {policy['PolicyName']} from {name}",
                partial(detach, **{key: name, "PolicyArn": policy["PolicyArn"]}),
            )
        delete = getattr(iam, f"delete_{kind}_policy")
        for policy_name in inline["PolicyNames"]:
            self.attempt(
                f"delete inline {policy_name} of {name}",
                partial(delete, **{key: name, "PolicyName": policy_name}),
            )


def teardown(clients: AwsClients, canaries: Canaries) -> list[str]:
    """Remove every canary; returns what could not be removed. Evidence of them stays."""
    ec2, iam = clients.ec2, clients.iam
    run = _Teardown()
    if canaries.instance_id:
        # The responders protected the canary exactly as they would a real instance; that is
        # undone only because the drill made it and is removing it.
        run.attempt(
            "termination protection",
            partial(
                ec2.modify_instance_attribute,
                InstanceId=canaries.instance_id,
                DisableApiTermination={"Value": False},
            ),
        )
        run.attempt(
            "terminate the canary instance",
            partial(ec2.terminate_instances, InstanceIds=[canaries.instance_id]),
        )
        run.attempt(
            "wait for termination",
            partial(
                ec2.get_waiter("instance_terminated").wait,
                InstanceIds=[canaries.instance_id],
                WaiterConfig={"Delay": 5, "MaxAttempts": 60},
            ),
        )
        # The responders turned off delete-on-termination to keep the volumes.
        for volume in canaries.volume_ids:
            run.attempt(f"delete {volume}", partial(ec2.delete_volume, VolumeId=volume))
    if canaries.user_name:
        run.empty_identity(iam, "user", canaries.user_name)
        for key in canaries.access_key_ids:
            run.attempt(
                f"delete key {key}",
                partial(iam.delete_access_key, UserName=canaries.user_name, AccessKeyId=key),
            )
        run.attempt("delete the canary user", partial(iam.delete_user, UserName=canaries.user_name))
    if canaries.function_name:
        run.attempt(
            "delete the canary function",
            partial(clients.lambda_.delete_function, FunctionName=canaries.function_name),
        )
    if canaries.role_name:
        profile = canaries.profile_arn.split("/")[-1]
        run.attempt(
            "remove the role from its profile",
            partial(
                iam.remove_role_from_instance_profile,
                InstanceProfileName=profile,
                RoleName=canaries.role_name,
            ),
        )
        run.attempt(
            "delete the instance profile",
            partial(iam.delete_instance_profile, InstanceProfileName=profile),
        )
        run.empty_identity(iam, "role", canaries.role_name)
        run.attempt("delete the canary role", partial(iam.delete_role, RoleName=canaries.role_name))
    return run.problems
