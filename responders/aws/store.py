"""The S3 evidence store: artifacts and custody entries under `cases/<case>/` (`drills/<case>/`
for drills and sample findings).

Every object is uploaded with a SHA-256 checksum S3 verifies on receipt, lands under the bucket's
Object Lock default retention, and custody entries are created with `If-None-Match: *` so an
entry can never be overwritten, by us or by a concurrent writer.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Iterator
from typing import IO, Any, cast

import botocore.exceptions
from boto3.s3.transfer import TransferConfig

from prewire.core.evidence.custody import Artifact, ConcurrentWriterError
from prewire.core.evidence.layout import (
    CASES_ROOT,
    CHUNK,
    DRILLS_ROOT,
    EvidenceStore,
    StoredObject,
    concurrent_writer_message,
)
from responders.aws.session import AwsClients, error_code
from responders.registry import Scope, perms

# What every action needs through the store, the custody log and discovery.
COMMON_PERMISSIONS = (
    *perms("s3:PutObject", "s3:GetObject", scope=Scope.EVIDENCE_OBJECTS),
    *perms("s3:ListBucket", "s3:GetBucketObjectLockConfiguration", scope=Scope.EVIDENCE_BUCKET),
    *perms("kms:GenerateDataKey", "kms:Decrypt", scope=Scope.FORENSIC_KEY),
    *perms("ssm:GetParametersByPath", scope=Scope.DISCOVERY_PARAMETERS),
    *perms("sts:GetCallerIdentity"),
)
# Above this, uploads are multipart and S3's checksum is per part; the full-object SHA-256 is
# kept in the object's metadata and in the custody log, and verification recomputes it.
SINGLE_PUT_LIMIT = 64 * 1024 * 1024


def b64_sha256(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


class S3EvidenceStore(EvidenceStore):
    def __init__(self, clients: AwsClients, bucket: str, root: str = CASES_ROOT) -> None:
        self.clients = clients
        self.bucket = bucket
        self.root = root

    def put_bytes(self, key: str, data: bytes, description: str = "") -> Artifact:
        digest = hashlib.sha256(data).hexdigest()
        self.clients.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=b64_sha256(digest),
            Metadata={"sha256": digest},
        )
        return Artifact(key=key, sha256=digest, size=len(data), description=description)

    def put_stream(self, key: str, stream: IO[bytes], description: str = "") -> Artifact:
        """Spool a stream to disk while hashing it, then upload with the checksum."""
        hasher = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as spool:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                hasher.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            digest = hasher.hexdigest()
            if size <= SINGLE_PUT_LIMIT:
                return self.put_bytes(key, spool.read(), description)
            self.clients.s3.upload_fileobj(
                spool,
                self.bucket,
                key,
                ExtraArgs={"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": digest}},
                Config=TransferConfig(multipart_chunksize=64 * 1024 * 1024),
            )
        return Artifact(key=key, sha256=digest, size=size, description=description)

    def exists(self, key: str) -> bool:
        try:
            self.clients.s3.head_object(Bucket=self.bucket, Key=key)
        except botocore.exceptions.ClientError as error:
            if error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, key: str) -> IO[bytes]:
        body = self.clients.s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        return cast(IO[bytes], body)

    def list_objects(self, prefix: str) -> Iterator[StoredObject]:
        paginator = self.clients.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield StoredObject(key=item["Key"], size=int(item["Size"]))

    def lock_mode(self) -> str | None:
        """The bucket's default Object Lock mode, or None if objects are not locked."""
        try:
            config = self.clients.s3.get_object_lock_configuration(Bucket=self.bucket)
        except botocore.exceptions.ClientError as error:
            if error_code(error) == "ObjectLockConfigurationNotFoundError":
                return None
            raise
        rule: dict[str, Any] = dict(config.get("ObjectLockConfiguration", {}).get("Rule", {}))
        mode = rule.get("DefaultRetention", {}).get("Mode")
        return str(mode) if mode else None

    def retention_of(self, key: str) -> str | None:
        try:
            head = self.clients.s3.head_object(Bucket=self.bucket, Key=key)
        except botocore.exceptions.ClientError:
            return None
        mode = head.get("ObjectLockMode")
        return str(mode) if mode else None

    def create_entry(self, key: str, data: bytes) -> None:
        try:
            self.clients.s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=b64_sha256(hashlib.sha256(data).hexdigest()),
                IfNoneMatch="*",
                ContentType="application/json",
            )
        except botocore.exceptions.ClientError as error:
            if error_code(error) in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise ConcurrentWriterError(concurrent_writer_message(key)) from error
            raise


def store_of_case(clients: AwsClients, bucket: str, case: str) -> S3EvidenceStore:
    """The view of the bucket holding `case`'s custody log: `cases/`, else `drills/`."""
    for root in (CASES_ROOT, DRILLS_ROOT):
        store = S3EvidenceStore(clients, bucket, root)
        if store.batch_starts(case):
            return store
    return S3EvidenceStore(clients, bucket)
