"""The cloud model in front of the embedded AWS: per-API token buckets answered as AWS answers
them, refill restoring them, the latency distribution, and the bound."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import botocore.config
import botocore.exceptions
import pytest

from prewire.emulator.aws import EmbeddedAws
from prewire.emulator.aws.cloud_model import CloudModel, Latency, TokenBucket
from responders.aws.limits import Limit, bound_of, limit_of


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_beyond_the_bucket_is_refused_and_refill_restores_it() -> None:
    clock = Clock()
    bucket = TokenBucket(Limit(3, 2, "test"), clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back at 2 per second
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.now = 10.0  # never more than the capacity
    assert sum(bucket.take() for _ in range(10)) == 3


def test_apis_are_classified_per_service() -> None:
    assert limit_of("ec2", "DescribeInstances").capacity == 100
    assert limit_of("ec2", "ModifyNetworkInterfaceAttribute").refill == 5
    assert limit_of("elasticloadbalancing", "DescribeTargetHealth").capacity == 40
    assert "documented" in limit_of("ec2", "DescribeInstances").source


def test_the_bound_is_the_slowest_bucket_after_its_burst() -> None:
    assert bound_of("ec2:ModifyNetworkInterfaceAttribute", 200) == 0.0
    assert bound_of("ec2:ModifyNetworkInterfaceAttribute", 1000) == pytest.approx(160.0)
    model = CloudModel()
    assert model.bound({"ec2:DescribeInstances": 300, "ec2:CreateTags": 210}) == pytest.approx(10.0)


def test_latency_is_reproducible_for_a_seed_and_has_a_long_tail() -> None:
    first = [CloudModel(seed=3).delay() for _ in range(1)]
    again = [CloudModel(seed=3).delay() for _ in range(1)]
    assert first == again
    model = CloudModel(latency=Latency(50, 0.5), seed=11)
    draws = sorted(model.delay() for _ in range(2000))
    median, p99 = draws[1000], draws[1980]
    assert 0.045 < median < 0.055 and p99 > 2.5 * median


@pytest.fixture
def throttled_aws() -> Iterator[tuple[EmbeddedAws, CloudModel]]:
    model = CloudModel(latency=Latency(0), limits_scale=0.05)  # EC2 reads: 5 burst, 1 per second
    with EmbeddedAws(cloud_model=model) as aws:
        yield aws, model


def unretried(aws: EmbeddedAws, service: str) -> Any:
    """A client that sees every refusal (no retries, no pacing)."""
    config = botocore.config.Config(retries={"total_max_attempts": 1})
    return aws.session().client(service, endpoint_url=aws.url, config=config)  # type: ignore[call-overload]


def test_an_empty_bucket_is_answered_as_ec2_answers_it(
    throttled_aws: tuple[EmbeddedAws, CloudModel],
) -> None:
    aws, model = throttled_aws
    ec2 = unretried(aws, "ec2")
    refused: list[botocore.exceptions.ClientError] = []
    for _ in range(20):  # a burst of 5 tokens, refilled at 1 per second
        try:
            ec2.describe_vpcs()
        except botocore.exceptions.ClientError as error:
            refused.append(error)
    assert refused and len(refused) <= 15
    assert {e.response["Error"]["Code"] for e in refused} == {"RequestLimitExceeded"}
    assert {e.response["ResponseMetadata"]["HTTPStatusCode"] for e in refused} == {503}
    assert model.throttled["ec2:DescribeVpcs"] == len(refused)
    assert model.calls["ec2:DescribeVpcs"] == 20
    ec2.describe_subnets()  # another API, another bucket
    time.sleep(1.1)
    ec2.describe_vpcs()  # refilled


def test_other_query_services_answer_throttling(
    throttled_aws: tuple[EmbeddedAws, CloudModel],
) -> None:
    aws, _ = throttled_aws
    client = unretried(aws, "autoscaling")
    errors = []
    for _ in range(8):
        try:
            client.describe_auto_scaling_groups()
        except botocore.exceptions.ClientError as error:
            errors.append(error.response["Error"]["Code"])
    assert errors and set(errors) == {"Throttling"}


def test_the_pacer_sends_at_the_refill_rate_and_counts_its_waits() -> None:
    from responders.aws.pacing import Pacer

    clock = Clock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    pacer = Pacer(scale=0.05, clock=clock, sleep=sleep)  # EC2 reads: 5 burst, 1 per second
    waits = [pacer.acquire("us-east-1", "ec2", "DescribeVpcs") for _ in range(8)]
    # one token of the burst is kept back for jitter
    assert waits[:4] == [0.0] * 4 and all(w == pytest.approx(1.0) for w in waits[4:])
    assert pacer.waited["ec2:DescribeVpcs"] == pytest.approx(4.0)
    assert pacer.acquire("us-east-1", "ec2", "DescribeSubnets") == 0.0  # its own bucket


def test_paced_clients_are_never_throttled_by_the_model() -> None:
    model = CloudModel(latency=Latency(0), limits_scale=0.05)
    with EmbeddedAws(cloud_model=model) as aws:
        ec2 = aws.clients().ec2
        for _ in range(8):
            ec2.describe_vpcs()
    assert model.calls["ec2:DescribeVpcs"] == 8 and not model.throttled
