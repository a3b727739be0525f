"""The embedded AWS refuses, as S3 does, a PUT whose body does not match the checksum or
Content-MD5 the client declared (400 BadDigest; moto alone would store it). So an evidence
write cut mid-upload (the fault proxy's truncate) leaves nothing stored, as on AWS."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import botocore.exceptions
import pytest

from prewire.emulator.aws import EmbeddedAws
from prewire.emulator.faults import FaultPlan, FaultProxy, aws_throttle
from responders.aws.session import AwsClients
from responders.aws.store import S3EvidenceStore


def _bucket(emulator: EmbeddedAws) -> tuple[Any, str]:
    s3 = emulator.client("s3")
    name = f"digests-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return s3, name


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    "declared",
    [
        {"ChecksumSHA256": _b64(hashlib.sha256(b"other bytes").digest())},
        {"ContentMD5": _b64(hashlib.md5(b"other bytes").digest())},  # noqa: S324 (S3's check)
    ],
    ids=["sha256", "md5"],
)
def test_a_body_unlike_its_declared_digest_is_refused_and_not_stored(
    emulator: EmbeddedAws, declared: dict[str, str]
) -> None:
    s3, bucket = _bucket(emulator)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="k", Body=b"these bytes", **declared)
    assert refused.value.response["Error"]["Code"] == "BadDigest"
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    matching = _b64(hashlib.sha256(b"these bytes").digest())
    s3.put_object(Bucket=bucket, Key="k", Body=b"these bytes", ChecksumSHA256=matching)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"these bytes"


def test_a_custody_entry_cut_mid_upload_leaves_nothing_stored(emulator: EmbeddedAws) -> None:
    _, bucket = _bucket(emulator)
    entry = b'{"seq": 0, "padding": "' + b"x" * 4096 + b'"}\n'
    plan = FaultPlan(seed=1, share=1.0, faults=("truncate",), throttle=aws_throttle)
    with FaultProxy(emulator.url, plan) as proxy:
        through_proxy = AwsClients(
            region=emulator.region, endpoint_url=proxy.url, session=emulator.session()
        )
        cut = S3EvidenceStore(through_proxy, bucket)
        with pytest.raises(botocore.exceptions.HTTPClientError):  # every attempt cut
            cut.create_entry("cases/c/custody/00000000.json", entry)
    assert proxy.injected["truncate"] > 1  # the first attempt and each of botocore's retries
    store = S3EvidenceStore(emulator.clients(), bucket)
    assert list(store.list_objects("cases/")) == []
    store.create_entry("cases/c/custody/00000000.json", entry)  # the retry after the night
    with store.open("cases/c/custody/00000000.json") as stored:
        assert stored.read() == entry
