"""Where moto 5.2 answers differently from AWS on a call prewire makes, the answer AWS gives:
each patch names the difference it closes."""

from __future__ import annotations

import json
from typing import Any


def apply_fidelity_patches() -> None:
    """Correct moto where its behaviour would hide what prewire changed (idempotent)."""
    from moto.ec2.models import elastic_network_interfaces as eni_module

    network_interface: Any = eni_module.NetworkInterface
    if getattr(network_interface, "_prewire_patched", False):
        return
    network_interface.group_set = property(lambda self: list(self._group_set))

    # moto gives an interface a private DNS name only in a VPC with DNS hostnames on (AWS always
    # reports one); ECS's RunTask with awsvpc networking reads it, so without this no Fargate
    # task could start (AttributeError). Where moto sets one, it is kept.
    def dns_name(self: Any) -> str:
        given = self.__dict__.get("_prewire_dns_name")
        return given or f"ip-{self.private_ip_address.replace('.', '-')}.ec2.internal"

    def set_dns_name(self: Any, value: str) -> None:
        self.__dict__["_prewire_dns_name"] = value

    network_interface.private_dns_name = property(dns_name, set_dns_name)
    network_interface._prewire_patched = True

    # ModifyInstanceAttribute with Groups replaces the groups of the instance's primary
    # interface, as in AWS; moto changes only the instance's own list.
    from moto.ec2.models import instances as instances_module

    instance_backend: Any = instances_module.InstanceBackend
    set_groups = instance_backend.modify_instance_security_groups

    def modify_instance_security_groups(self: Any, instance_id: str, groups: list[str]) -> Any:
        instance = set_groups(self, instance_id, groups)
        primary = instance.nics.get(0)
        if primary is not None:
            primary._group_set = list(instance.security_groups)
        return instance

    instance_backend.modify_instance_security_groups = modify_instance_security_groups

    from moto import backends
    from moto.core import responses, utils

    modules = backends.list_of_moto_modules
    known_modules = list(modules())
    backends_module: Any = backends
    backends_module.list_of_moto_modules = lambda: iter(known_modules)
    method_names: dict[object, list[str]] = {}
    original_names = utils.method_names_from_class

    def cached_names(clazz: object) -> list[str]:
        if clazz not in method_names:
            method_names[clazz] = original_names(clazz)
        return method_names[clazz]

    responses_module: Any = responses
    responses_module.method_names_from_class = cached_names

    from moto.ec2.models import flow_logs as flow_logs_module

    backend: Any = flow_logs_module.FlowLogsBackend
    original = backend.create_flow_logs

    def create_flow_logs(
        self: Any,
        resource_type: str,
        resource_ids: list[str],
        traffic_type: str,
        deliver_logs_permission_arn: str,
        log_destination_type: str,
        log_destination: str,
        log_group_name: str,
        log_format: str,
        max_aggregation_interval: int,
    ) -> Any:
        bucket_arn, folder, _ = (log_destination or "").partition("/")
        checked = bucket_arn if log_destination_type == "s3" and folder else log_destination
        created, unsuccessful = original(
            self,
            resource_type,
            resource_ids,
            traffic_type,
            deliver_logs_permission_arn,
            log_destination_type,
            checked,
            log_group_name,
            log_format,
            max_aggregation_interval,
        )
        for flow_log in created:
            flow_log.log_destination = log_destination
        return created, unsuccessful

    backend.create_flow_logs = create_flow_logs

    from moto.s3 import models as s3_models

    s3_backend: Any = s3_models.FakeBucket
    policy_check = s3_backend._log_permissions_enabled_policy

    def log_permissions(target_bucket: Any, target_prefix: str | None) -> bool:
        policy = target_bucket.policy
        if not policy:
            return False
        document = json.loads(policy.decode())
        statements = [
            st for st in document.get("Statement", []) if isinstance(st.get("Principal"), dict)
        ]
        target_bucket.policy = json.dumps({**document, "Statement": statements}).encode()
        try:
            return bool(policy_check(target_bucket, target_prefix))
        finally:
            target_bucket.policy = policy

    s3_backend._log_permissions_enabled_policy = staticmethod(log_permissions)

    def get_permission(self: Any, action: str, resource: str) -> Any:
        from moto.iam.access_control import IAMPolicy, PermissionResult

        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = [st for st in document.get("Statement", []) if "Condition" not in st]
        if not statements:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**document, "Statement": statements})).is_action_permitted(
            action, resource
        )

    s3_backend.get_permission = get_permission

    from moto.guardduty import models as guardduty_models

    detector_class: Any = guardduty_models.Detector
    replace_features = detector_class.update

    def update(self: Any, enable: Any, frequency: Any, data_sources: Any, features: Any) -> None:
        if features is not None:
            merged = {f.get("name") or f.get("Name"): f for f in (self.features or [])}
            merged.update({f.get("name") or f.get("Name"): f for f in features})
            features = list(merged.values())
        replace_features(self, enable, frequency, data_sources, features)

    detector_class.update = update

    # moto answers TestEventPattern with an empty body; answer it with the matcher moto's own
    # event bus routes PutEvents with, so a rule that routes on the emulator also "tests" there.
    from moto.events import models as events_models
    from moto.events import responses as events_responses

    def test_event_pattern(self: Any) -> str:
        pattern = events_models.EventPattern.load(self._get_param("EventPattern"))
        matched = pattern.matches_event(json.loads(self._get_param("Event")))
        return json.dumps({"Result": matched})

    events_response: Any = events_responses.EventsHandler
    events_response.test_event_pattern = test_event_pattern
