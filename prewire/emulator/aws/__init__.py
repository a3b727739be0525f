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

import logging
import os
from types import TracebackType
from typing import Any

import boto3
import requests

from prewire.emulator.aws.cloud_model import CloudModel
from prewire.emulator.aws.fidelity import apply_fidelity_patches
from prewire.emulator.aws.middleware import LAMBDA_CODE_PATH, LAMBDA_CODE_URL, Middleware, quiet
from prewire.emulator.serving import LocalServer
from responders.aws.pacing import Pacer
from responders.aws.session import AwsClients, new_session

ACCOUNT_ID = "123456789012"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


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
        self._middleware: Middleware | None = None
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
        apply_fidelity_patches()
        self._middleware = Middleware(
            quiet(DomainDispatcherApplication)(create_backend_app),
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
