"""The Cloud Storage evidence store against the fake (real google-cloud-storage client):
write-once artifacts, streamed uploads hashed on the way, custody entries created once, the
lock read from the bucket, and `verify_case` over all of it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import pytest

from prewire.emulator.gcp import FakeGcp
from prewire.evidence.custody import ConcurrentWriterError, CustodyLog
from prewire.evidence.verify import verify_case
from responders.gcp.session import GcpClients
from responders.gcp.store import GcsEvidenceStore

BUCKET = "prewire-evidence-fake"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGcp]:
    with FakeGcp() as gcp:
        yield gcp


@pytest.fixture
def store(fake: FakeGcp) -> GcsEvidenceStore:
    fake.reset()
    fake.storage.add_bucket(BUCKET, {"prewire-role": "evidence-store"}, 365, locked=True)
    return GcsEvidenceStore(GcpClients("prewire-fake", fake.credentials(), fake.url), BUCKET)


def test_artifacts_are_written_once_and_a_differing_rerun_gets_its_own_name(
    fake: FakeGcp, store: GcsEvidenceStore
) -> None:
    first = store.put_bytes("cases/c1/t/a/report.json", b'{"a": 1}')
    again = store.put_bytes("cases/c1/t/a/report.json", b'{"a": 1}')
    other = store.put_bytes("cases/c1/t/a/report.json", b'{"a": 2}')
    assert first == again
    assert other.key.startswith("cases/c1/t/a/report.json.") and other.key != first.key
    bucket = fake.storage.buckets[BUCKET]
    assert bucket.objects[first.key].data == b'{"a": 1}'
    assert bucket.objects[first.key].metadata == {"sha256": first.sha256}
    assert store.sha256_of(first.key) == (first.sha256, 8)


def test_streams_are_uploaded_in_chunks_and_hashed(fake: FakeGcp, store: GcsEvidenceStore) -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: two resumable chunks
    artifact = store.put_stream("cases/c1/t/snap/disk.raw", io.BytesIO(data))
    assert artifact.sha256 == hashlib.sha256(data).hexdigest() and artifact.size == len(data)
    stored = fake.storage.buckets[BUCKET].objects["cases/c1/t/snap/disk.raw"]
    assert stored.data == data and stored.metadata["sha256"] == artifact.sha256
    assert sum(1 for m, p in fake.requests if m == "PUT" and "upload_id" in p) >= 2
    with pytest.raises(FileExistsError):
        store.put_stream("cases/c1/t/snap/disk.raw", io.BytesIO(b"other"))


def test_the_custody_chain_verifies_and_a_second_writer_is_refused(
    fake: FakeGcp, store: GcsEvidenceStore
) -> None:
    log = CustodyLog("c1", store, "tester@example.com")
    artifact = store.put_bytes(store.artifact_key("c1", "vm-1", "collect", "x.json"), b"{}")
    log.append(action="collect", target="vm-1", status="collected", artifacts=[artifact])
    log.append(action="isolate", target="vm-1", status="changed", state={"tags": ["a"]})
    result = verify_case(store, "c1")
    assert result.ok, result.problems
    assert store.lock_mode() == "COMPLIANCE" and store.retention_of(artifact.key) == "COMPLIANCE"
    with pytest.raises(ConcurrentWriterError):
        store.create_entry(store.entry_key("c1", 1), b"{}\n")
    # Retention: the bucket refuses to replace or delete what the chain points at.
    from google.api_core.exceptions import Forbidden

    with pytest.raises(Forbidden):
        store.clients.storage.bucket(BUCKET).blob(artifact.key).delete()


def test_an_unlocked_bucket_is_named_as_such(fake: FakeGcp, store: GcsEvidenceStore) -> None:
    fake.storage.buckets[BUCKET].locked = False
    assert store.lock_mode() == "GOVERNANCE"
    fake.storage.buckets[BUCKET].retention_seconds = 0
    assert store.lock_mode() is None
