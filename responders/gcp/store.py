"""The Cloud Storage evidence store: the shared layout in the prewired evidence bucket.

GCS checks each upload's MD5 and CRC32C on receipt (the client sends them); the SHA-256 of every
artifact is computed here while uploading, kept in the object's metadata and in the custody log,
and recomputed by verification. The bucket's locked retention policy (Bucket Lock) makes every
object undeletable and unreplaceable for the period; objects are created with
`ifGenerationMatch=0`, so an existing name is never replaced (a differing re-upload gets a name of
its own) and two writers of one custody entry cannot both succeed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import IO, Any

from google.api_core import exceptions as google_errors

from prewire.core.evidence.custody import Artifact, ConcurrentWriterError
from prewire.core.evidence.layout import (
    CASES_ROOT,
    EvidenceStore,
    StoredObject,
    concurrent_writer_message,
)
from responders.gcp.session import GcpClients

CHUNK = 8 * 1024 * 1024  # resumable uploads send multiples of 256 KiB
COMPLIANCE = "COMPLIANCE"
STORE_PERMISSIONS = (
    "storage.buckets.get",
    "storage.objects.create",
    "storage.objects.get",
    "storage.objects.list",
)


class _Hashing(io.RawIOBase):
    """Reads through `source`, hashing what passes (SHA-256 and size)."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.hasher = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        # The resumable upload asks where the stream starts; it never seeks it.
        return self.size

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.hasher.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _HashingSink(io.RawIOBase):
    """A write-only stream that hashes what it is given and keeps nothing."""

    def __init__(self, progress: Any = None) -> None:
        self.hasher = hashlib.sha256()
        self.size = 0
        self.progress = progress

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.hasher.update(data)
        self.size += len(data)
        if self.progress is not None:
            self.progress.update(self.size)
        return len(data)


class GcsEvidenceStore(EvidenceStore):
    def __init__(self, clients: GcpClients, bucket: str, root: str = CASES_ROOT) -> None:
        self.clients = clients
        self.bucket = bucket
        self.root = root

    @property
    def _bucket(self) -> Any:
        return self.clients.storage.bucket(self.bucket)

    def put_bytes(self, key: str, data: bytes, description: str = "") -> Artifact:
        digest = hashlib.sha256(data).hexdigest()

        def write(name: str) -> None:
            blob = self._bucket.blob(name)
            blob.metadata = {"sha256": digest}
            blob.upload_from_string(data, if_generation_match=0, checksum="md5")

        return self.write_once(
            key, (digest, len(data), description), write, google_errors.PreconditionFailed
        )

    def put_stream(self, key: str, stream: IO[bytes], description: str = "") -> Artifact:
        """A resumable upload in chunks, hashed on the way; the SHA-256 is set afterwards as
        metadata is not retention-protected, so it is also kept in the custody log."""
        if self.exists(key):  # the precondition below also covers a writer racing us
            raise FileExistsError(f"{key} already exists in {self.bucket}")
        hashing = _Hashing(stream)
        blob = self._bucket.blob(key, chunk_size=CHUNK)
        try:
            blob.upload_from_file(hashing, if_generation_match=0, checksum="crc32c")
        except google_errors.PreconditionFailed as error:
            raise FileExistsError(f"{key} already exists in {self.bucket}") from error
        digest = hashing.hasher.hexdigest()
        blob.metadata = {"sha256": digest}
        blob.patch()
        return Artifact(key=key, sha256=digest, size=hashing.size, description=description)

    def adopt(self, key: str, description: str, progress: Any = None) -> Artifact:
        """An object another writer created in the bucket (Cloud Build's export), read back in
        chunks to compute its SHA-256 (GCS checks the CRC32C of the download), which is set as
        metadata like every artifact's."""
        blob = self._bucket.get_blob(key)
        if blob is None:
            raise FileNotFoundError(f"{key} is not in {self.bucket}")
        sink = _HashingSink(progress)
        blob.download_to_file(sink, checksum="crc32c")
        digest = sink.hasher.hexdigest()
        blob.metadata = {**(blob.metadata or {}), "sha256": digest}
        blob.patch()
        return Artifact(key=key, sha256=digest, size=sink.size, description=description)

    def exists(self, key: str) -> bool:
        return bool(self._bucket.blob(key).exists())

    def open(self, key: str) -> IO[bytes]:
        return io.BytesIO(self._bucket.blob(key).download_as_bytes(checksum="crc32c"))

    def list_objects(self, prefix: str) -> Iterator[StoredObject]:
        for blob in self.clients.storage.list_blobs(self.bucket, prefix=prefix):
            yield StoredObject(key=str(blob.name), size=int(blob.size or 0))

    def lock_mode(self) -> str | None:
        bucket = self.clients.storage.get_bucket(self.bucket)
        if not bucket.retention_period:
            return None
        # A locked policy binds everyone, project owners included; an unlocked one can be
        # removed by whoever may update the bucket.
        return COMPLIANCE if bucket.retention_policy_locked else "GOVERNANCE"

    def retention_of(self, key: str) -> str | None:
        # The bucket's retention policy covers every object in it.
        return self.lock_mode() if self.exists(key) else None

    def create_entry(self, key: str, data: bytes) -> None:
        blob = self._bucket.blob(key)
        blob.metadata = {"sha256": hashlib.sha256(data).hexdigest()}
        try:
            blob.upload_from_string(
                data, content_type="application/json", if_generation_match=0, checksum="md5"
            )
        except google_errors.PreconditionFailed as error:
            raise ConcurrentWriterError(concurrent_writer_message(key)) from error
