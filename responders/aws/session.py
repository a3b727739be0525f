"""The AWS client factory responders receive from their caller.

One factory per run: clients are created once and shared by the worker threads (boto3 clients
are thread-safe), use botocore's adaptive retries, and report every call to the `Step` active
in the calling thread so the custody log holds each request id. The same code runs against a
real account, the embedded emulator (`endpoint_url`) or a stubbed client in tests.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Literal

import boto3
import botocore.config
import botocore.exceptions
import botocore.loaders
import botocore.session
import botocore.utils

from prewire.core.evidence.custody import ApiCall
from responders.aws.pacing import Pacer
from responders.runtime import Step, active_step, recording

if TYPE_CHECKING:
    from mypy_boto3_autoscaling import AutoScalingClient
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_eks import EKSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient


# Errors that mean "this endpoint does not implement the API" rather than "you asked wrongly".
GAP_CODES = frozenset(
    {
        "InternalFailure",
        "InternalError",
        "NotImplemented",
        "InvalidAction",
        "UnknownOperationException",
    }
)


def error_code(error: BaseException) -> str:
    if isinstance(error, botocore.exceptions.ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def is_api_gap(error: BaseException) -> bool:
    if not isinstance(error, botocore.exceptions.ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error_code(error) in GAP_CODES or status in (500, 501)


_LOADER_LOCK = threading.Lock()
_loader: botocore.loaders.Loader | None = None


def new_session(**options: Any) -> boto3.Session:
    """A boto3 session whose service models come from one loader per process, and whose
    responses parse timestamps with `parse_timestamp`.

    botocore parses a service's model and endpoint rules once per loader (EC2's model alone is
    about 5 MB of JSON, a tenth of a second or more), and every new session has its own: the
    sessions made for an assumed role, another region or each test would parse them again.
    """
    global _loader
    core = botocore.session.get_session()
    with _LOADER_LOCK:
        if _loader is None:
            _loader = core.get_component("data_loader")
        core.register_component("data_loader", _loader)
        core.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=parse_timestamp
        )
        session = boto3.Session(botocore_session=core, **options)
        paths = _loader.search_paths  # boto3 appends its data folder for every session
        paths[:] = list(dict.fromkeys(paths))
    return session


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser with a fast path for the ISO 8601 times AWS answers with.

    botocore hands every timestamp to dateutil, a tenth of a responder's CPU per call at a
    hundred targets; ISO times with a zone parse natively and to the same instant. Anything
    else (epoch numbers, RFC 822 headers, times without a zone) goes to botocore.
    """
    if isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    return botocore.utils.parse_timestamp(value)


class AwsClients:
    def __init__(
        self,
        *,
        region: str,
        profile: str | None = None,
        endpoint_url: str | None = None,
        max_pool: int = 32,
        session: boto3.Session | None = None,
        url_rewriter: Callable[[str], str] | None = None,
        pacer: Pacer | Literal["default"] | None = "default",
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        # AWS itself throttles, so a run against it paces itself by default; an emulator does
        # only when a cloud model is in front of it (its clients pass one).
        self.pacer = (Pacer() if endpoint_url is None else None) if pacer == "default" else pacer
        self._url_rewriter = url_rewriter
        self._max_pool = max_pool
        self._session = session or new_session(profile_name=profile, region_name=region)
        self._config = botocore.config.Config(
            region_name=region,
            retries={"mode": "adaptive", "max_attempts": 10},
            max_pool_connections=max_pool,
            connect_timeout=10,
            read_timeout=60,
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.call_count = 0
        self._count_lock = threading.Lock()

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                # Pre-signed S3 URLs must be SigV4 so they can carry a signed checksum.
                config = (
                    self._config.merge(botocore.config.Config(signature_version="s3v4"))
                    if service == "s3"
                    else self._config
                )
                client = self._session.client(
                    service,  # type: ignore[call-overload]
                    config=config,
                    endpoint_url=self.endpoint_url,
                )
                client.meta.events.register("after-call.*.*", self._after_call)
                if self.pacer is not None:
                    client.meta.events.register(
                        "before-call.*.*", self.pacer.before_call(self.region)
                    )
                self._clients[service] = client
            return self._clients[service]

    def long_call_client(self, service: str, read_timeout: int) -> Any:
        """An uncached client for one long call (a synchronous function invocation).

        No retries: a call that timed out on our side may still be running on theirs.
        """
        config = self._config.merge(
            botocore.config.Config(read_timeout=read_timeout, retries={"total_max_attempts": 1})
        )
        return self._session.client(
            service,  # type: ignore[call-overload]
            config=config,
            endpoint_url=self.endpoint_url,
        )

    def for_region(self, region: str) -> AwsClients:
        """The same identity in another region."""
        return AwsClients(
            region=region,
            endpoint_url=self.endpoint_url,
            session=self._session,
            max_pool=self._max_pool,
            url_rewriter=self._url_rewriter,
            pacer=self.pacer,
        )

    def assume(self, role_arn: str, session_name: str = "prewire-responder") -> AwsClients:
        """Clients acting as `role_arn` (the responder or break-glass role)."""
        credentials = self.sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)[
            "Credentials"
        ]
        session = new_session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )
        return AwsClients(
            region=self.region,
            endpoint_url=self.endpoint_url,
            session=session,
            max_pool=self._max_pool,
            url_rewriter=self._url_rewriter,
            pacer=self.pacer,  # the same account's buckets
        )

    def use(self, service: str, client: Any) -> None:
        """Install a prepared client (a botocore Stubber's, in tests)."""
        client.meta.events.register("after-call.*.*", self._after_call)
        with self._lock:
            self._clients[service] = client

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        with self._count_lock:
            self.call_count += 1
        step = active_step()
        if step is None:
            return
        metadata = parsed.get("ResponseMetadata", {})
        error = parsed.get("Error", {}).get("Code") if "Error" in parsed else None
        step.record_call(
            ApiCall(
                service=model.service_model.endpoint_prefix,
                operation=model.name,
                request_id=metadata.get("RequestId"),
                error=error,
            )
        )

    def fetch(self, url: str, destination: IO[bytes]) -> None:
        """Download a pre-signed URL the service handed out (function code, layer content).

        An emulator serves those URLs itself; it passes a rewriter that points them at it.
        """
        if self._url_rewriter is not None:
            url = self._url_rewriter(url)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"not a downloadable location: {url[:60]}")
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - checked above
            shutil.copyfileobj(response, destination, 1024 * 1024)

    def recording(self, step: Step) -> contextlib.AbstractContextManager[None]:
        return recording(step)

    # Typed accessors: one place that knows the service names.
    @property
    def ec2(self) -> EC2Client:
        return self.client("ec2")  # type: ignore[no-any-return]

    @property
    def autoscaling(self) -> AutoScalingClient:
        return self.client("autoscaling")  # type: ignore[no-any-return]

    @property
    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return self.client("elbv2")  # type: ignore[no-any-return]

    @property
    def iam(self) -> IAMClient:
        return self.client("iam")  # type: ignore[no-any-return]

    @property
    def s3(self) -> S3Client:
        return self.client("s3")  # type: ignore[no-any-return]

    @property
    def ssm(self) -> SSMClient:
        return self.client("ssm")  # type: ignore[no-any-return]

    @property
    def sts(self) -> STSClient:
        return self.client("sts")  # type: ignore[no-any-return]

    @property
    def cloudtrail(self) -> CloudTrailClient:
        return self.client("cloudtrail")  # type: ignore[no-any-return]

    @property
    def lambda_(self) -> LambdaClient:
        return self.client("lambda")  # type: ignore[no-any-return]

    @property
    def eks(self) -> EKSClient:
        return self.client("eks")  # type: ignore[no-any-return]

    @property
    def ecs(self) -> ECSClient:
        return self.client("ecs")  # type: ignore[no-any-return]

    @property
    def logs(self) -> CloudWatchLogsClient:
        return self.client("logs")  # type: ignore[no-any-return]
