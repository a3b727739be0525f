"""The Cloud Storage evidence store with the real google-cloud-storage client, against the local
fake and against fake-gcs-server (a third-party emulator): write-once artifacts, streamed uploads
hashed on the way, custody entries created once, and `verify_case` over all of it.

fake-gcs-server keeps no retention policy in force (it neither refuses deletes under one nor
reports it locked): the lock and the refusal to delete what the chain points at are tested on
the fake only. It also ignores `ifGenerationMatch=0` on resumable uploads (seen here: a second
resumable upload of the same name replaces the object), which GCS enforces; the store checks
for the name before it starts an upload too, so a re-run is refused on both."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from prewire.core.evidence.custody import ConcurrentWriterError, CustodyLog
from prewire.core.evidence.verify import verify_case
from prewire.emulator.gcp import FakeGcp
from responders.gcp import store as store_module
from responders.gcp.session import GcpClients
from responders.gcp.store import GcsEvidenceStore
from tests.third_party import fake_gcs_server

BUCKET = "prewire-evidence-fake"
PROJECT = "prewire-fake"


@dataclass
class Backend:
    name: str
    clients: GcpClients
    fake: FakeGcp | None = None

    def store(self) -> GcsEvidenceStore:
        return GcsEvidenceStore(self.clients, BUCKET, root=f"cases-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGcp]:
    with FakeGcp() as gcp:
        yield gcp


@pytest.fixture(scope="module")
def emulator() -> Iterator[GcpClients]:
    from google.auth.credentials import AnonymousCredentials

    with fake_gcs_server() as url:
        clients = GcpClients(PROJECT, AnonymousCredentials(), url)  # type: ignore[no-untyped-call]
        clients.storage.create_bucket(BUCKET)
        yield clients


@pytest.fixture(params=["fake", "fake-gcs-server"])
def backend(request: pytest.FixtureRequest, fake: FakeGcp) -> Backend:
    if request.param == "fake-gcs-server":
        return Backend("fake-gcs-server", request.getfixturevalue("emulator"))
    fake.reset()
    fake.storage.add_bucket(BUCKET, {"prewire-role": "evidence-store"}, 365, locked=True)
    return Backend("fake", GcpClients(PROJECT, fake.credentials(), fake.url), fake)


def blob_of(store: GcsEvidenceStore, key: str) -> tuple[bytes, dict[str, str]]:
    blob = store.clients.storage.bucket(BUCKET).get_blob(key)
    assert blob is not None, key
    return blob.download_as_bytes(), dict(blob.metadata or {})


def test_artifacts_are_written_once_and_a_differing_rerun_gets_its_own_name(
    backend: Backend,
) -> None:
    store = backend.store()
    key = store.artifact_key("c1", "t", "a", "report.json")
    first = store.put_bytes(key, b'{"a": 1}')
    again = store.put_bytes(key, b'{"a": 1}')
    other = store.put_bytes(key, b'{"a": 2}')
    assert first == again
    assert other.key.startswith(f"{key}.") and other.key != first.key
    assert blob_of(store, first.key) == (b'{"a": 1}', {"sha256": first.sha256})
    assert store.sha256_of(first.key) == (first.sha256, 8)


def test_streams_are_uploaded_in_chunks_and_hashed(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "CHUNK", 1024 * 1024)
    store = backend.store()
    data = bytes(range(256)) * 10_000  # about 2.5 MB: three resumable chunks
    key = store.artifact_key("c1", "t", "snap", "disk.raw")
    artifact = store.put_stream(key, io.BytesIO(data))
    assert artifact.sha256 == hashlib.sha256(data).hexdigest() and artifact.size == len(data)
    stored, metadata = blob_of(store, key)
    assert stored == data and metadata["sha256"] == artifact.sha256
    if backend.fake is not None:
        puts = [p for m, p in backend.fake.requests if m == "PUT" and "upload_id" in p]
        assert len(puts) >= 3
    with pytest.raises(FileExistsError):
        store.put_stream(key, io.BytesIO(b"other"))


def test_the_custody_chain_verifies_and_a_second_writer_is_refused(backend: Backend) -> None:
    store = backend.store()
    log = CustodyLog("c1", store, "tester@example.com")
    artifact = store.put_bytes(store.artifact_key("c1", "vm-1", "collect", "x.json"), b"{}")
    log.append(action="collect", target="vm-1", status="collected", artifacts=[artifact])
    log.append(action="isolate", target="vm-1", status="changed", state={"tags": ["a"]})
    result = verify_case(store, "c1")
    assert result.ok, result.problems
    with pytest.raises(ConcurrentWriterError):
        store.create_entry(store.entry_key("c1", 1), b"{}\n")


def test_under_retention_nothing_the_chain_points_at_can_be_deleted(fake: FakeGcp) -> None:
    """The fake only: fake-gcs-server keeps no retention policy in force."""
    from google.api_core.exceptions import Forbidden

    fake.reset()
    fake.storage.add_bucket(BUCKET, {"prewire-role": "evidence-store"}, 365, locked=True)
    store = GcsEvidenceStore(GcpClients(PROJECT, fake.credentials(), fake.url), BUCKET)
    artifact = store.put_bytes(store.artifact_key("c1", "vm-1", "collect", "x.json"), b"{}")
    assert store.lock_mode() == "COMPLIANCE" and store.retention_of(artifact.key) == "COMPLIANCE"
    with pytest.raises(Forbidden):
        store.clients.storage.bucket(BUCKET).blob(artifact.key).delete()


def test_an_unlocked_bucket_is_named_as_such(fake: FakeGcp) -> None:
    fake.reset()
    fake.storage.add_bucket(BUCKET, {"prewire-role": "evidence-store"}, 365, locked=False)
    store = GcsEvidenceStore(GcpClients(PROJECT, fake.credentials(), fake.url), BUCKET)
    assert store.lock_mode() == "GOVERNANCE"
    fake.storage.buckets[BUCKET].retention_seconds = 0
    assert store.lock_mode() is None
