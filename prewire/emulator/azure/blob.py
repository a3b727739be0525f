"""The Blob service half of the fake, path-style (`https://127.0.0.1:port/<account>/...`) as
Azurite serves it: put blob, put block and block list, get (ranges), properties, list, delete.

Containers are the storage accounts' ARM containers. A container with an immutability policy
(unlocked or locked) refuses overwrites and deletes, as Azure's time-based retention does.
Disk exports granted by `beginGetAccess` are served read-only under `md-export/<token>/abcd`,
like the SAS URL Azure hands out.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from prewire.emulator.azure.arm import ArmState
from prewire.emulator.azure.services import Services

EXPORT_ACCOUNT = "md-export"
Headers = dict[str, str]


class BlobError(Exception):
    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.status, self.code, self.message = status, code, message or code

    def reply(self) -> tuple[int, Headers, bytes]:
        body = (
            '<?xml version="1.0" encoding="utf-8"?><Error>'
            f"<Code>{self.code}</Code><Message>{escape(self.message)}</Message></Error>"
        ).encode()
        return self.status, {"x-ms-error-code": self.code, "Content-Type": "application/xml"}, body


@dataclass
class Blob:
    data: bytes
    metadata: dict[str, str]
    content_type: str
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    etag: str = field(default_factory=lambda: f'"0x{secrets.token_hex(8).upper()}"')

    def headers(self) -> Headers:
        return {
            "ETag": self.etag,
            "Last-Modified": format_datetime(self.created, usegmt=True),
            "x-ms-creation-time": format_datetime(self.created, usegmt=True),
            "x-ms-blob-type": "BlockBlob",
            "Content-Type": self.content_type,
            "Content-MD5": base64.b64encode(hashlib.md5(self.data).digest()).decode(),  # noqa: S324
            "Accept-Ranges": "bytes",
            "x-ms-server-encrypted": "true",
            **{f"x-ms-meta-{k}": v for k, v in self.metadata.items()},
        }


class BlobService:
    def __init__(self, state: ArmState, services: Services) -> None:
        self.state = state
        self.services = services
        self.blobs: dict[tuple[str, str, str], Blob] = {}
        self.blocks: dict[tuple[str, str, str], dict[str, bytes]] = {}
        self.lock = threading.Lock()
        # Blob names containing any of these are refused writes (403), as when the caller lacks
        # the data role: tests use it to make one upload fail.
        self.refused: list[str] = []

    def put(self, account: str, container: str, name: str, text: str) -> None:
        """Write a blob as an Azure service would (Network Watcher's flow records), not a client."""
        self._require_container(account, container)
        with self.lock:
            self.blobs[(account.lower(), container.lower(), name)] = Blob(
                text.encode(), {}, "application/json"
            )

    # -- containers ------------------------------------------------------------------------
    def _require_container(self, account: str, container: str) -> None:
        accounts = [
            a
            for a in self.state.of_type("Microsoft.Storage/storageAccounts")
            if a["name"].lower() == account.lower()
        ]
        if not accounts:
            raise BlobError(404, "ResourceNotFound", f"no storage account {account}")
        container_id = f"{accounts[0]['id']}/blobServices/default/containers/{container}"
        if self.state.get(container_id) is None:
            raise BlobError(404, "ContainerNotFound", f"container {container} does not exist")

    def _immutable(self, account: str, container: str) -> bool:
        return self.services.container_policy(account, container) is not None

    # -- dispatch --------------------------------------------------------------------------
    def handle(
        self, method: str, parts: list[str], query: dict[str, str], headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        try:
            return self._handle(method, parts, query, headers, body)
        except BlobError as error:
            return error.reply()

    def _handle(
        self, method: str, parts: list[str], query: dict[str, str], headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        account, container, name = parts[0], parts[1] if len(parts) > 1 else "", "/".join(parts[2:])
        if account == EXPORT_ACCOUNT:
            return self._export(method, container, query, headers)
        if not container:
            raise BlobError(501, "NotImplemented", "account-level operations")
        self._require_container(account, container)
        if not name:
            if method == "GET" and query.get("comp") == "list":
                return self._list(account, container, query)
            if method in ("GET", "HEAD") and query.get("restype") == "container":
                return (
                    200,
                    {
                        "ETag": '"0x1"',
                        "x-ms-has-immutability-policy": "true"
                        if self._immutable(account, container)
                        else "false",
                    },
                    b"",
                )
            raise BlobError(501, "NotImplemented", f"{method} on a container")
        if query.get("comp") not in (None, "block", "blocklist", "list") or (
            method != "PUT" and query.get("comp") in ("block", "blocklist")
        ):  # only the writes of blocks are served (Get Block List is not)
            raise BlobError(501, "NotImplemented", f"{method} comp={query['comp']}")
        key = (account.lower(), container.lower(), name)
        if method == "PUT" and any(part in name for part in self.refused):
            raise BlobError(403, "AuthorizationPermissionMismatch", "not allowed to write")
        if method == "PUT" and query.get("comp") == "block":
            with self.lock:
                self.blocks.setdefault(key, {})[query["blockid"]] = body
            return 201, {"Content-MD5": _md5(body)}, b""
        if method == "PUT" and query.get("comp") == "blocklist":
            # Only prewire's own clients talk to this fake on 127.0.0.1.
            ids = [e.text or "" for e in ElementTree.fromstring(body)]  # noqa: S314
            with self.lock:
                staged = self.blocks.get(key, {})
                missing = [i for i in ids if i not in staged]
                if missing:
                    raise BlobError(400, "InvalidBlockList", f"unknown block {missing[0]}")
                data = b"".join(staged[i] for i in ids)
            created = self._write(key, data, headers, verify_md5=False)
            with self.lock:
                self.blocks.pop(key, None)
            return created
        if method == "PUT":
            if headers.get("x-ms-blob-type", "BlockBlob") != "BlockBlob":
                raise BlobError(501, "NotImplemented", "only block blobs")
            return self._write(key, body, headers, verify_md5=True)
        blob = self.blobs.get(key)
        if blob is None:
            raise BlobError(404, "BlobNotFound", f"{name} does not exist")
        if method == "HEAD":
            return 200, {**blob.headers(), "Content-Length": str(len(blob.data))}, b""
        if method == "GET":
            return _ranged(blob.data, blob.headers(), headers)
        if method == "DELETE":
            if self._immutable(account, container):
                raise BlobError(409, "BlobImmutableDueToPolicy", "retention policy")
            with self.lock:
                del self.blobs[key]
            return 202, {}, b""
        raise BlobError(501, "NotImplemented", method)

    def _write(
        self, key: tuple[str, str, str], data: bytes, headers: Headers, *, verify_md5: bool
    ) -> tuple[int, Headers, bytes]:
        declared = headers.get("content-md5")
        if verify_md5 and declared and declared != _md5(data):
            raise BlobError(400, "Md5Mismatch", "the MD5 of the body does not match Content-MD5")
        metadata = {
            k[len("x-ms-meta-") :]: v for k, v in headers.items() if k.startswith("x-ms-meta-")
        }
        with self.lock:
            exists = key in self.blobs
            if exists and headers.get("if-none-match") == "*":
                raise BlobError(409, "BlobAlreadyExists", "The specified blob already exists.")
            if exists and self._immutable(key[0], key[1]):
                raise BlobError(409, "BlobImmutableDueToPolicy", "retention policy")
            blob = Blob(
                data, metadata, headers.get("x-ms-blob-content-type", "application/octet-stream")
            )
            self.blobs[key] = blob
        return (
            201,
            {
                "ETag": blob.etag,
                "Content-MD5": _md5(data),
                "Last-Modified": format_datetime(blob.created, usegmt=True),
                "x-ms-request-server-encrypted": "true",
            },
            b"",
        )

    def _list(
        self, account: str, container: str, query: dict[str, str]
    ) -> tuple[int, Headers, bytes]:
        prefix = query.get("prefix", "")
        limit = int(query.get("maxresults", "5000"))
        marker = query.get("marker", "")
        with self.lock:
            names = sorted(
                n
                for (a, c, n) in self.blobs
                if a == account.lower() and c == container.lower() and n.startswith(prefix)
            )
        names = [n for n in names if n > marker] if marker else names
        page, more = names[:limit], names[limit:]
        items = []
        for name in page:
            blob = self.blobs[(account.lower(), container.lower(), name)]
            metadata = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in blob.metadata.items())
            items.append(
                f"<Blob><Name>{escape(name)}</Name><Properties>"
                f"<Last-Modified>{format_datetime(blob.created, usegmt=True)}</Last-Modified>"
                f"<Etag>{blob.etag}</Etag><Content-Length>{len(blob.data)}</Content-Length>"
                f"<Content-Type>{blob.content_type}</Content-Type><BlobType>BlockBlob</BlobType>"
                f"</Properties><Metadata>{metadata}</Metadata></Blob>"
            )
        next_marker = page[-1] if more else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="{self.state.base_url}/{account}/" '
            f'ContainerName="{container}"><Prefix>{escape(prefix)}</Prefix>'
            f"<MaxResults>{limit}</MaxResults><Blobs>{''.join(items)}</Blobs>"
            f"<NextMarker>{escape(next_marker)}</NextMarker></EnumerationResults>"
        ).encode()
        return 200, {"Content-Type": "application/xml"}, body

    def _export(
        self, method: str, token: str, query: dict[str, str], headers: Headers
    ) -> tuple[int, Headers, bytes]:
        snapshot = self.services.exports.get(token)
        if snapshot is None:
            raise BlobError(403, "AuthenticationFailed", "the access grant has ended")
        data = self.services.content.get(snapshot, b"")
        if query.get("comp") == "pagelist":
            # A disk export is a page blob; the SDK asks which pages hold data before reading.
            ranges = f"<PageRange><Start>0</Start><End>{len(data) - 1}</End></PageRange>"
            body = (
                '<?xml version="1.0" encoding="utf-8"?><PageList>'
                f"{ranges if data else ''}</PageList>"
            ).encode()
            return (
                200,
                {"Content-Type": "application/xml", "x-ms-blob-content-length": str(len(data))},
                body,
            )
        if query.get("comp"):
            raise BlobError(501, "NotImplemented", f"comp={query['comp']} on a disk export")
        blob_headers: Headers = {
            "ETag": '"0x8D0000000000000"',
            "Last-Modified": format_datetime(datetime.now(UTC), usegmt=True),
            "x-ms-blob-type": "PageBlob",
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
        }
        if method == "HEAD":
            return 200, {**blob_headers, "Content-Length": str(len(data))}, b""
        if method != "GET":
            raise BlobError(403, "AuthorizationPermissionMismatch", "read-only access")
        return _ranged(data, blob_headers, headers)


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - Azure's own


def _ranged(data: bytes, blob_headers: Headers, headers: Headers) -> tuple[int, Headers, bytes]:
    wanted = headers.get("x-ms-range") or headers.get("range")
    if not wanted or not data:
        return 200, {**blob_headers, "Content-Length": str(len(data))}, data
    first, _, last = wanted.removeprefix("bytes=").partition("-")
    start = int(first)
    end = min(int(last) if last else len(data) - 1, len(data) - 1)
    if start >= len(data) and data:
        raise BlobError(416, "InvalidRange", "The range specified is invalid")
    chunk = data[start : end + 1]
    return (
        206,
        {
            **blob_headers,
            "Content-Length": str(len(chunk)),
            "Content-Range": f"bytes {start}-{end}/{len(data)}",
        },
        chunk,
    )


def parse_query(raw: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in raw.items()}
