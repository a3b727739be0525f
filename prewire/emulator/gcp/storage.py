"""The Cloud Storage half of the GCP fake: the JSON API calls google-cloud-storage makes.

Buckets (with a retention policy that can be locked), multipart and resumable uploads with the
`ifGenerationMatch` precondition, object metadata, media downloads with ranges and `x-goog-hash`
checksums, and listing by prefix with pages. Under a retention policy an object cannot be
replaced or deleted until its retention expires, as on GCS.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from typing import Any

import google_crc32c

from prewire.emulator.gcp.compute import GcpError

Json = dict[str, Any]
Headers = dict[str, str]
PAGE_SIZE = 50


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 (GCS's checksum)


def _crc32c(data: bytes) -> str:
    digest: bytes = google_crc32c.Checksum(data).digest()  # type: ignore[no-untyped-call]
    return base64.b64encode(digest).decode()


@dataclass
class StoredBlob:
    name: str
    data: bytes
    generation: int
    metadata: dict[str, str]
    content_type: str
    created: datetime

    def resource(self, bucket: str, retention_seconds: int) -> Json:
        found: Json = {
            "kind": "storage#object",
            "id": f"{bucket}/{self.name}/{self.generation}",
            "name": self.name,
            "bucket": bucket,
            "generation": str(self.generation),
            "metageneration": "1",
            "contentType": self.content_type,
            "size": str(len(self.data)),
            "md5Hash": _md5(self.data),
            "crc32c": _crc32c(self.data),
            "timeCreated": self.created.isoformat().replace("+00:00", "Z"),
            "metadata": dict(self.metadata),
        }
        if retention_seconds:
            expiry = self.created + timedelta(seconds=retention_seconds)
            found["retentionExpirationTime"] = expiry.isoformat().replace("+00:00", "Z")
        return found


@dataclass
class Bucket:
    name: str
    labels: dict[str, str]
    retention_seconds: int = 0
    locked: bool = False
    objects: dict[str, StoredBlob] = field(default_factory=dict)
    settings: Json = field(default_factory=dict)
    """The rest of the bucket's resource (iamConfiguration, versioning, location ...)."""

    def resource(self) -> Json:
        found: Json = {
            **self.settings,
            "kind": "storage#bucket",
            "id": self.name,
            "name": self.name,
            "labels": self.labels,
        }
        if self.retention_seconds:
            found["retentionPolicy"] = {
                "retentionPeriod": str(self.retention_seconds),
                "isLocked": self.locked,
                "effectiveTime": "2026-01-01T00:00:00Z",
            }
        return found


@dataclass
class StorageState:
    buckets: dict[str, Bucket] = field(default_factory=dict)
    uploads: dict[str, tuple[str, Json, bytearray]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _generations: itertools.count[int] = field(default_factory=lambda: itertools.count(1_700_000))

    def add_bucket(
        self,
        name: str,
        labels: dict[str, str] | None = None,
        retention_days: int = 0,
        locked: bool = False,
    ) -> Bucket:
        bucket = Bucket(name, dict(labels or {}), retention_days * 86_400, locked)
        self.buckets[name] = bucket
        return bucket

    def put_bucket(self, item: Json) -> Bucket:
        """A bucket as the JSON API describes it (what a deployment created)."""
        retention = item.get("retentionPolicy") or {}
        settings = {k: v for k, v in item.items() if k not in ("name", "labels", "retentionPolicy")}
        bucket = Bucket(
            str(item["name"]),
            dict(item.get("labels") or {}),
            int(retention.get("retentionPeriod") or 0),
            retention.get("isLocked") is True,
            settings=settings,
        )
        self.buckets[bucket.name] = bucket
        return bucket

    def bucket(self, name: str) -> Bucket:
        found = self.buckets.get(name)
        if found is None:
            raise GcpError(404, "NOT_FOUND", f"The specified bucket does not exist: {name}")
        return found

    # -- objects ------------------------------------------------------------------------------
    def write(self, bucket_name: str, metadata: Json, data: bytes, query: dict[str, str]) -> Json:
        with self.lock:
            bucket = self.bucket(bucket_name)
            name = str(metadata.get("name") or query.get("name") or "")
            if not name:
                raise GcpError(400, "INVALID_ARGUMENT", "object name missing")
            existing = bucket.objects.get(name)
            wanted = query.get("ifGenerationMatch")
            if wanted is not None and str(existing.generation if existing else 0) != wanted:
                raise GcpError(412, "FAILED_PRECONDITION", f"{name}: generation does not match")
            if existing and self._retained(bucket, existing):
                raise GcpError(
                    403,
                    "PERMISSION_DENIED",
                    f"Object '{name}' is subject to bucket's retention policy",
                )
            blob = StoredBlob(
                name,
                data,
                next(self._generations),
                {str(k): str(v) for k, v in (metadata.get("metadata") or {}).items()},
                str(metadata.get("contentType") or "application/octet-stream"),
                datetime.now(UTC),
            )
            expected_md5 = metadata.get("md5Hash")
            if expected_md5 and expected_md5 != blob.resource(bucket_name, 0)["md5Hash"]:
                raise GcpError(400, "INVALID_ARGUMENT", "Provided MD5 hash does not match")
            bucket.objects[name] = blob
            return blob.resource(bucket_name, bucket.retention_seconds)

    def _retained(self, bucket: Bucket, blob: StoredBlob) -> bool:
        return bool(bucket.retention_seconds) and datetime.now(UTC) < blob.created + timedelta(
            seconds=bucket.retention_seconds
        )

    def get(self, bucket_name: str, name: str) -> tuple[Bucket, StoredBlob]:
        bucket = self.bucket(bucket_name)
        blob = bucket.objects.get(name)
        if blob is None:
            raise GcpError(404, "NOT_FOUND", f"No such object: {bucket_name}/{name}")
        return bucket, blob

    def patch(self, bucket_name: str, name: str, changes: Json) -> Json:
        """Metadata only: a retained object's bytes never change, its metadata may."""
        with self.lock:
            bucket, blob = self.get(bucket_name, name)
            if "metadata" in changes:
                blob.metadata.update(
                    {str(k): str(v) for k, v in (changes["metadata"] or {}).items()}
                )
            return blob.resource(bucket.name, bucket.retention_seconds)

    def delete(self, bucket_name: str, name: str) -> None:
        with self.lock:
            bucket, blob = self.get(bucket_name, name)
            if self._retained(bucket, blob):
                raise GcpError(
                    403,
                    "PERMISSION_DENIED",
                    f"Object '{name}' is subject to bucket's retention policy",
                )
            del bucket.objects[name]

    def listing(self, bucket_name: str, query: dict[str, str]) -> Json:
        bucket = self.bucket(bucket_name)
        prefix = query.get("prefix", "")
        names = sorted(n for n in bucket.objects if n.startswith(prefix))
        start = int(query.get("pageToken") or 0)
        page = names[start : start + PAGE_SIZE]
        body: Json = {
            "kind": "storage#objects",
            "items": [
                bucket.objects[n].resource(bucket.name, bucket.retention_seconds) for n in page
            ],
        }
        if start + PAGE_SIZE < len(names):
            body["nextPageToken"] = str(start + PAGE_SIZE)
        return body

    # -- uploads -------------------------------------------------------------------------------
    def multipart(self, bucket: str, content_type: str, raw: bytes, query: dict[str, str]) -> Json:
        message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        parts = [p.get_payload(decode=True) for p in message.walk() if not p.is_multipart()]
        if len(parts) != 2 or not all(isinstance(part, bytes) for part in parts):
            raise GcpError(400, "INVALID_ARGUMENT", "a multipart upload has metadata and media")
        metadata, data = (part for part in parts if isinstance(part, bytes))
        return self.write(bucket, json.loads(metadata or b"{}"), data, query)

    def start_resumable(self, bucket: str, metadata: Json, query: dict[str, str]) -> str:
        self.bucket(bucket)
        upload_id = hashlib.sha256(
            f"{bucket}{metadata}{next(self._generations)}".encode()
        ).hexdigest()[:24]
        self.uploads[upload_id] = (bucket, {**metadata, "_query": query}, bytearray())
        return upload_id

    def resumable_chunk(
        self, upload_id: str, data: bytes, content_range: str
    ) -> tuple[int, Headers, Json]:
        if upload_id not in self.uploads:
            raise GcpError(404, "NOT_FOUND", f"no upload {upload_id}")
        bucket, metadata, received = self.uploads[upload_id]
        received.extend(data)
        total = content_range.rsplit("/", 1)[-1] if content_range else "*"
        if total == "*" or int(total) > len(received):
            headers = {"Range": f"bytes=0-{len(received) - 1}"} if received else {}
            return 308, headers, {}
        del self.uploads[upload_id]
        query = metadata.pop("_query")
        return 200, {}, self.write(bucket, metadata, bytes(received), query)


def media(blob: StoredBlob, range_header: str | None) -> tuple[int, Headers, bytes]:
    data = blob.data
    headers = {
        "Content-Type": blob.content_type,
        "x-goog-generation": str(blob.generation),
        "x-goog-stored-content-length": str(len(data)),
        "x-goog-hash": f"crc32c={_crc32c(data)},md5={_md5(data)}",
    }
    if not range_header or not range_header.startswith("bytes="):
        return 200, headers, data
    first, _, last = range_header.removeprefix("bytes=").partition("-")
    start = int(first or 0)
    end = min(int(last) if last else len(data) - 1, len(data) - 1)
    if start >= len(data) and data:
        return 416, {}, b""
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return 206, headers, data[start : end + 1]
