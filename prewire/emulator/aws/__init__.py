"""An embedded AWS: moto's server on 127.0.0.1, started in-process on a free port.

What differs from a bare `ThreadedMotoServer`, each to make the emulator behave more like AWS
where prewire depends on it (every item is a moto gap, corrected here and nowhere else):

- APIs moto does not implement (it raises, or has no route for them) answer HTTP 501
  `NotImplemented` instead of 500, so SDK retries do not spin on them and responders can report
  "unsupported on this target" instead of failing.
- An interface's security groups are its own groups. moto reports the union of the interface's
  and the instance's groups, which would make an isolated interface look still open; and
  ModifyInstanceAttribute with Groups changes the primary interface's groups, as in AWS (moto
  changes only the instance's list).
- An interface always has a private DNS name, as in AWS, which ECS's RunTask reads for a
  Fargate task's attachment (moto names only interfaces of VPCs with DNS hostnames on).
- A flow log may deliver to a folder of a bucket (`arn:aws:s3:::bucket/prefix/`), as in AWS; moto
  takes the whole path for the bucket name and refuses it.
- Bucket policies with `"Principal": "*"` statements (e.g. deny plain HTTP) do not crash S3
  server-access-logging checks, as they do in moto.
- Conditional bucket-policy statements do not apply. moto cannot evaluate their conditions (it
  knows neither the caller nor TLS) and treats every unmet condition as an explicit deny, which
  would refuse every write to a bucket that denies plain HTTP. The emulator therefore does not
  enforce conditional statements such as "evidence readable only by the responder roles".
- UpdateDetector merges GuardDuty features by name, as AWS does; moto replaces the whole list, so
  enabling features one at a time (as the Terraform provider does) would keep only the last.
- AWS managed policies exist (moto loads them only when asked), so stacks can attach them.
- Function code locations that GetFunction hands out can be downloaded: moto keeps the code in
  memory and returns an `awslambda-<region>-tasks` S3 URL nothing serves, so the emulator serves
  that code itself and its clients rewrite the URL to it.
- Two lookups moto repeats on every request are computed once (the list of its service modules,
  read from disk each time, and each response class's method names); they never change while it
  runs, and together they were most of moto's time per request.
- Optional per-request latency resembles a real cloud for benchmarks, and an optional cloud model
  (`cloud_model.py`) adds AWS's per-API token buckets and a latency distribution.

moto keeps its state in process globals, so one emulator runs per process; starting one resets
that state.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import boto3
import requests

from prewire.emulator.aws.cloud_model import CloudModel, identify, throttled_response
from prewire.emulator.serving import LocalServer
from responders.aws.pacing import Pacer
from responders.aws.session import AwsClients, new_session

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

ACCOUNT_ID = "123456789012"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

_NOT_IMPLEMENTED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
    b"<Message>the embedded emulator (moto) does not implement this API</Message></Error>"
    b"<RequestId>emulator</RequestId></ErrorResponse>"
)


def _fidelity_patches() -> None:
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


LAMBDA_CODE_PATH = "/_prewire/lambda-code/"
LAMBDA_CODE_URL = re.compile(
    r"^https://awslambda-[a-z0-9-]+-tasks\.s3\.[a-z0-9-]+\.amazonaws\.com/(.+)$"
)


def _lambda_code(key: str) -> bytes | None:
    from moto.awslambda.models import lambda_backends

    for account in lambda_backends.values():
        for backend in account.values():
            for entry in backend._lambdas._functions.values():
                for function in [entry["latest"], *entry["versions"]]:
                    if function is not None and function.code.get("S3Key") == key:
                        return bytes(function.code_bytes)
    return None


def _quiet(dispatcher: Any) -> Any:
    """moto prints to stdout when a service has no backend; the caller's output (JSON on stdout)
    must stay clean, and the request ends as a 501 either way."""
    from moto import backend_index, backends

    class QuietDispatcher(dispatcher):  # type: ignore[misc]
        def get_backend_for_host(self, host: str | None) -> Any:
            if (
                host
                and "amazonaws.com" in host
                and host not in set(backends.list_of_moto_modules())
            ):
                patterns = backend_index.backend_url_patterns
                if not any(pattern.match(f"http://{host}") for _, pattern in patterns):
                    return None  # moto would print "Unable to find appropriate backend"
            return super().get_backend_for_host(host)

    return QuietDispatcher


class _Middleware:
    def __init__(
        self, app: WsgiApp, latency_seconds: float, cloud_model: CloudModel | None = None
    ) -> None:
        self.app = app
        self.latency_seconds = latency_seconds
        self.cloud_model = cloud_model
        self.requests = 0
        self._lock = threading.Lock()

    def _modelled(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes] | None:
        """The cloud model's latency, and its answer when the API's bucket is empty."""
        model = self.cloud_model
        if model is None or str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = identify(environ, body)
        time.sleep(model.delay())
        if call is None or model.admit(call.account, call.region, call.service, call.action):
            return None
        status, headers, payload = throttled_response(call)
        start_response(status, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.latency_seconds and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.latency_seconds)
        with self._lock:
            self.requests += 1
        refused = self._modelled(environ, start_response)
        if refused is not None:
            return refused
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(LAMBDA_CODE_PATH):
            code = _lambda_code(path[len(LAMBDA_CODE_PATH) :])
            status = "200 OK" if code is not None else "404 Not Found"
            start_response(status, [("Content-Type", "application/zip")])
            return [code or b""]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            body = b"".join(self.app(environ, capture))
        except Exception:  # moto raised out of its app: an emulator gap, not a transient fault
            logging.getLogger("prewire.emulator").debug("emulator error", exc_info=True)
            captured["status"] = "500"
            body = b""
        status = str(captured.get("status", ""))
        unrouted = status.startswith("404") and body.lstrip().lower().startswith(b"<!doctype html")
        if status.startswith("500") or unrouted:
            start_response(
                "501 Not Implemented",
                [("Content-Type", "text/xml"), ("Content-Length", str(len(_NOT_IMPLEMENTED)))],
            )
            return [_NOT_IMPLEMENTED]
        start_response(captured["status"], captured["headers"])
        return [body]


class EmbeddedAws:
    """`with EmbeddedAws() as aws:` gives an endpoint URL and clients for it."""

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        latency_ms: float = 0.0,
        cloud_model: CloudModel | None = None,
    ) -> None:
        self.region = region
        self.latency_ms = latency_ms
        self.cloud_model = cloud_model
        self.pacer = Pacer(scale=cloud_model.limits_scale) if cloud_model else None
        """Shared by every client of this emulator, as one process's calls share an account's
        buckets."""
        self._server: LocalServer | None = None
        self._middleware: _Middleware | None = None
        self.url = ""

    def start(self) -> EmbeddedAws:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _fidelity_patches()
        self._middleware = _Middleware(
            _quiet(DomainDispatcherApplication)(create_backend_app),
            self.latency_ms / 1000.0,
            self.cloud_model,
        )
        self._server = LocalServer(self._middleware, request_handler=MotoRequestHandler)
        self.url = self._server.start().url
        self.reset()
        return self

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None

    def set_cloud_model(self, model: CloudModel | None) -> None:
        """The cloud model from now on (benchmarks seed without it, then measure with it)."""
        self.cloud_model = model
        self.pacer = Pacer(scale=model.limits_scale) if model else None
        if self._middleware is not None:
            self._middleware.cloud_model = model

    def set_latency(self, milliseconds: float) -> None:
        """Per-request latency from now on (benchmarks seed without it, then measure with it)."""
        self.latency_ms = milliseconds
        if self._middleware is not None:
            self._middleware.latency_seconds = milliseconds / 1000.0

    @property
    def request_count(self) -> int:
        return self._middleware.requests if self._middleware else 0

    def session(self, region: str | None = None) -> boto3.Session:
        return new_session(
            region_name=region or self.region,
            aws_access_key_id=CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        )

    def clients(self, *, region: str | None = None, max_pool: int = 32) -> AwsClients:
        # With a cloud model in front, clients pace themselves as they would against AWS.
        return AwsClients(
            region=region or self.region,
            endpoint_url=self.url,
            session=self.session(region),
            max_pool=max_pool,
            url_rewriter=self.rewrite_url,
            pacer=self.pacer,
        )

    def rewrite_url(self, url: str) -> str:
        """Point a code location moto handed out at the code this emulator serves."""
        match = LAMBDA_CODE_URL.match(url)
        return f"{self.url}{LAMBDA_CODE_PATH}{match.group(1)}" if match else url

    def client(self, service: str, region: str | None = None) -> Any:
        """A plain boto3 client (for seeding and assertions, outside the responders)."""
        return self.session().client(  # type: ignore[call-overload]
            service, region_name=region or self.region, endpoint_url=self.url
        )

    def environment(self) -> dict[str, str]:
        """Variables that point any AWS SDK or tool (e.g. Cloud Custodian) at this emulator."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def __enter__(self) -> EmbeddedAws:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
