"""The Azure Blob evidence store: the shared layout in the `evidence` container of the prewired
storage account.

Azure checks each upload's MD5 (Content-MD5) on receipt; the SHA-256 of every artifact is
computed here while uploading, kept in the blob's metadata and in the custody log, and
recomputed by verification. The container's time-based immutability policy makes every blob
write-once: an existing name is never replaced (a differing re-upload gets a new name), and
custody entries are created with `If-None-Match: *`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import IO

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, ContainerClient, ContentSettings

from prewire.core.evidence.custody import Artifact, ConcurrentWriterError
from prewire.core.evidence.layout import (
    CASES_ROOT,
    EvidenceStore,
    StoredObject,
    concurrent_writer_message,
    stream_of,
)
from responders.azure import ids
from responders.azure.discovery import EVIDENCE_CONTAINER
from responders.azure.session import AzureClients
from responders.registry import Permission, Scope, perms

BLOCK = 32 * 1024 * 1024
MAX_BLOCKS = 50_000
# A locked time-based policy: nobody, the subscription owner included, can alter or delete.
LOCK_MODES = {"Locked": "COMPLIANCE", "Unlocked": "GOVERNANCE"}

COMMON_PERMISSIONS: tuple[Permission, ...] = (
    *perms(
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
        scope=Scope.EVIDENCE_OBJECTS,
    ),
    *perms(
        "Microsoft.Storage/storageAccounts/read",
        "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies/read",
        scope=Scope.EVIDENCE_BUCKET,
    ),
    *perms("Microsoft.Resources/subscriptions/resources/read", scope=Scope.DISCOVERY_PARAMETERS),
)


class BlobEvidenceStore(EvidenceStore):
    def __init__(
        self,
        clients: AzureClients,
        account_id: str,
        account_url: str,
        root: str = CASES_ROOT,
        container: str = EVIDENCE_CONTAINER,
    ) -> None:
        self.clients = clients
        self.account_id = account_id
        self.account_url = account_url
        self.container_name = container
        self.root = root
        self.bucket = f"{ids.parse(account_id).name}/{container}"  # named in messages

    @property
    def container(self) -> ContainerClient:
        return self.clients.blob_service(self.account_url).get_container_client(self.container_name)

    def put_bytes(self, key: str, data: bytes, description: str = "") -> Artifact:
        digest = hashlib.sha256(data).hexdigest()
        return self.write_once(
            key,
            (digest, len(data), description),
            lambda name: self._upload(name, data, digest),
            ResourceExistsError,
        )

    def _upload(self, key: str, data: bytes, digest: str) -> None:
        self.container.get_blob_client(key).upload_blob(
            data,
            overwrite=False,
            metadata={"sha256": digest},
            validate_content=True,  # Content-MD5 checked by Azure on receipt
            content_settings=ContentSettings(content_type="application/octet-stream"),
        )

    def put_stream(self, key: str, stream: IO[bytes], description: str = "") -> Artifact:
        """Upload in blocks while hashing; the SHA-256 is committed with the block list."""
        blob = self.container.get_blob_client(key)
        if self.exists(key):
            raise ResourceExistsError(f"{key} already exists in {self.bucket}")
        hasher = hashlib.sha256()
        blocks: list[BlobBlock] = []
        size = 0
        for index, chunk in enumerate(iter(lambda: stream.read(BLOCK), b"")):
            if index >= MAX_BLOCKS:
                raise ValueError(f"{key}: more than {MAX_BLOCKS} blocks of {BLOCK} bytes")
            block_id = base64.b64encode(f"{index:08d}".encode()).decode()
            blob.stage_block(block_id, chunk, validate_content=True)
            blocks.append(BlobBlock(block_id=block_id))
            hasher.update(chunk)
            size += len(chunk)
        digest = hasher.hexdigest()
        blob.commit_block_list(blocks, metadata={"sha256": digest}, if_none_match="*")
        return Artifact(key=key, sha256=digest, size=size, description=description)

    def exists(self, key: str) -> bool:
        try:
            self.container.get_blob_client(key).get_blob_properties()
        except ResourceNotFoundError:
            return False
        return True

    def open(self, key: str) -> IO[bytes]:
        return stream_of(self.container.get_blob_client(key).download_blob().chunks())

    def list_objects(self, prefix: str) -> Iterator[StoredObject]:
        for blob in self.container.list_blobs(name_starts_with=prefix):
            yield StoredObject(key=str(blob.name), size=int(blob.size or 0))

    def lock_mode(self) -> str | None:
        account = ids.parse(self.account_id)
        try:
            policy = self.clients.storage.blob_containers.get_immutability_policy(
                account.resource_group, account.name, self.container_name
            )
        except ResourceNotFoundError:
            return None
        if not policy.immutability_period_since_creation_in_days:
            return None
        state = getattr(policy.state, "value", policy.state)  # an enum, or the plain string
        return LOCK_MODES.get(str(state))

    def retention_of(self, key: str) -> str | None:
        # A container's time-based policy covers every blob in it.
        return self.lock_mode() if self.exists(key) else None

    def create_entry(self, key: str, data: bytes) -> None:
        try:
            self.container.get_blob_client(key).upload_blob(
                data,
                overwrite=False,
                validate_content=True,
                metadata={"sha256": hashlib.sha256(data).hexdigest()},
                content_settings=ContentSettings(content_type="application/json"),
            )
        except ResourceExistsError as error:
            raise ConcurrentWriterError(concurrent_writer_message(key)) from error


def account_blob_endpoint(clients: AzureClients, account_id: str) -> str:
    """The storage account's Blob endpoint, as Azure reports it (`primaryEndpoints.blob`)."""
    parsed = ids.parse(account_id, "Microsoft.Storage/storageAccounts")
    account = clients.storage.storage_accounts.get_properties(parsed.resource_group, parsed.name)
    endpoint = account.primary_endpoints.blob if account.primary_endpoints else None
    if not endpoint:
        raise ValueError(f"storage account {parsed.name} reports no Blob endpoint")
    return str(endpoint)
