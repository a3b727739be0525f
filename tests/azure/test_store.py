"""The Azure Blob evidence store and the custody log on it, against the local fake and against
Azurite (Microsoft's emulator): write-once artifacts, block uploads hashed on the way, custody
entries created once (a second writer refused), and `verify_case` over all of it.

Azurite has no time-based immutability policies (a container-level ARM feature): the lock mode
comes from Resource Manager, which stays the fake's in both runs, and the refusal to delete or
replace a blob under a locked policy is tested on the fake only."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceExistsError

from prewire.core.evidence.custody import ConcurrentWriterError, CustodyLog
from prewire.core.evidence.verify import verify_case
from prewire.drill.azure.account import AzurePrewired, deploy_stack
from prewire.emulator.azure import FakeAzure
from responders.azure import store as store_module
from responders.azure.discovery import EVIDENCE_CONTAINER
from responders.azure.session import AzureClients
from responders.azure.store import BlobEvidenceStore, account_blob_endpoint
from tests.third_party import Azurite, AzuriteCredential, azurite


@dataclass
class Backend:
    name: str
    fake: FakeAzure
    prewired: AzurePrewired
    clients: AzureClients
    account_url: str

    def store(self) -> BlobEvidenceStore:
        root = f"cases-{uuid.uuid4().hex[:8]}"
        return BlobEvidenceStore(
            self.clients, self.prewired.evidence_account_id, self.account_url, root
        )


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeAzure, AzurePrewired]]:
    with FakeAzure() as azure:
        yield azure, deploy_stack(azure)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Azurite]:
    with azurite() as running:
        yield running


def _azurite_backend(fake: FakeAzure, prewired: AzurePrewired, running: Azurite) -> Backend:
    bundle = Path(str(running.certificate) + ".bundle.pem")
    bundle.write_bytes(Path(str(fake.certificate)).read_bytes() + running.certificate.read_bytes())
    clients = AzureClients(
        subscription_id=fake.subscription,
        credential=AzuriteCredential(),  # the fake's ARM takes any bearer token
        arm_endpoint=fake.url,
        connection_verify=str(bundle),
        polling_interval=0,
    )
    service = clients.blob_service(running.account_url)
    if not service.get_container_client(EVIDENCE_CONTAINER).exists():
        service.create_container(EVIDENCE_CONTAINER)
    return Backend("azurite", fake, prewired, clients, running.account_url)


@pytest.fixture(params=["fake", "azurite"])
def backend(request: pytest.FixtureRequest, fake: tuple[FakeAzure, AzurePrewired]) -> Backend:
    azure, prewired = fake
    if request.param == "azurite":
        return _azurite_backend(azure, prewired, request.getfixturevalue("emulator"))
    clients = azure.clients()
    endpoint = account_blob_endpoint(clients, prewired.evidence_account_id)
    return Backend("fake", azure, prewired, clients, endpoint)


def test_artifacts_are_written_once_and_a_differing_rerun_gets_its_own_name(
    backend: Backend,
) -> None:
    store = backend.store()
    key = store.artifact_key("c1", "vm-1", "collect", "report.json")
    first = store.put_bytes(key, b'{"a": 1}')
    again = store.put_bytes(key, b'{"a": 1}')
    other = store.put_bytes(key, b'{"a": 2}')
    assert first == again
    assert other.key == f"{key}.{other.sha256[:12]}" and other.key != first.key
    assert store.sha256_of(first.key) == (first.sha256, 8)
    blob = store.container.get_blob_client(first.key)
    assert blob.download_blob().readall() == b'{"a": 1}'
    assert blob.get_blob_properties().metadata == {"sha256": first.sha256}


def test_streams_are_uploaded_in_blocks_and_hashed(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BLOCK", 1024 * 1024)
    store = backend.store()
    data = bytes(range(256)) * 12_000  # about 3 MB: three blocks
    key = store.artifact_key("c1", "vm-1", "snap", "disk.vhd")
    artifact = store.put_stream(key, io.BytesIO(data))
    assert artifact.sha256 == hashlib.sha256(data).hexdigest() and artifact.size == len(data)
    blob = store.container.get_blob_client(key)
    assert blob.download_blob().readall() == data
    assert blob.get_blob_properties().metadata["sha256"] == artifact.sha256
    if backend.name == "azurite":  # the fake does not serve Get Block List (prewire never reads it)
        committed = blob.get_block_list("committed")[0]
        assert len(committed) == 3
    with pytest.raises(ResourceExistsError):
        store.put_stream(key, io.BytesIO(b"other"))


def test_the_custody_chain_verifies_and_a_second_writer_is_refused(backend: Backend) -> None:
    store = backend.store()
    log = CustodyLog("c1", store, "tester@example.com")
    artifact = store.put_bytes(store.artifact_key("c1", "vm-1", "collect", "x.json"), b"{}")
    log.append(action="collect", target="vm-1", status="collected", artifacts=[artifact])
    log.append(action="isolate", target="vm-1", status="changed", state={"nic": "n1"})
    result = verify_case(store, "c1")
    assert result.ok, result.problems
    assert result.entries == 2
    with pytest.raises(ConcurrentWriterError):
        store.create_entry(store.entry_key("c1", 1), b"{}\n")
    assert store.lock_mode() == "COMPLIANCE"  # from Resource Manager, the fake's in both runs


def test_an_altered_artifact_is_refused_or_caught(backend: Backend) -> None:
    """Under the locked policy (the fake) the overwrite is refused; where nothing enforces it
    (Azurite has no immutability policies) verification names the altered artifact."""
    from azure.core.exceptions import HttpResponseError

    store = backend.store()
    log = CustodyLog("c2", store, "tester@example.com")
    key = store.artifact_key("c2", "vm-1", "collect", "x.json")
    artifact = store.put_bytes(key, b"{}")
    log.append(action="collect", target="vm-1", status="collected", artifacts=[artifact])
    overwrite = store.container.get_blob_client(key)
    if backend.name == "fake":
        with pytest.raises(HttpResponseError, match="BlobImmutableDueToPolicy"):
            overwrite.upload_blob(b'{"altered": true}', overwrite=True)
        assert verify_case(store, "c2").ok
        return
    overwrite.upload_blob(b'{"altered": true}', overwrite=True)
    result = verify_case(store, "c2")
    assert not result.ok and [p.kind for p in result.problems] == ["altered"], result.problems
