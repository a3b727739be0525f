"""Where evidence lives in a store, the same on every cloud, and what every store does with it.

    <root>/<case>/<target>/<action>/<name>      artifacts
    <root>/<case>/custody/<seq:08d>.json        custody entries from <seq> on, one JSON line
                                                each (a batch written together), created once,
                                                never replaced

`root` is `cases` for real cases and `drills` for drills and sample findings. A cloud's store
(S3, Azure Blob) implements the byte-level primitives; the layout, the custody sink and the
hashing are here, once.
"""

from __future__ import annotations

import abc
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from prewire.core.evidence.custody import Artifact, ConcurrentWriterError, Entry

CASES_ROOT = "cases"
DRILLS_ROOT = "drills"
CHUNK = 1024 * 1024


def safe_component(text: str) -> str:
    """A target id or ARN as one key component."""
    return re.sub(r"[^A-Za-z0-9._=-]", "_", text)[:200]


class _ChunkStream(io.RawIOBase):
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def stream_of(chunks: Iterable[bytes]) -> IO[bytes]:
    """Chunks (a download) as a readable stream, for hashing and copying in constant memory."""
    return io.BufferedReader(_ChunkStream(chunks), CHUNK)


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class EvidenceStore(abc.ABC):
    """An evidence store: the layout and custody sink over a cloud's object primitives."""

    root: str

    # -- layout ------------------------------------------------------------------------------
    def case_prefix(self, case: str) -> str:
        return f"{self.root}/{case}/"

    def artifact_key(self, case: str, target: str, action: str, name: str) -> str:
        return f"{self.case_prefix(case)}{safe_component(target)}/{action}/{name}"

    def custody_prefix(self, case: str) -> str:
        return f"{self.case_prefix(case)}custody/"

    def entry_key(self, case: str, seq: int) -> str:
        return f"{self.custody_prefix(case)}{seq:08d}.json"

    # -- what each cloud implements ------------------------------------------------------------
    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes, description: str = "") -> Artifact: ...

    @abc.abstractmethod
    def put_stream(self, key: str, stream: IO[bytes], description: str = "") -> Artifact: ...

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A readable stream of the object's bytes."""

    @abc.abstractmethod
    def list_objects(self, prefix: str) -> Iterator[StoredObject]: ...

    @abc.abstractmethod
    def lock_mode(self) -> str | None:
        """How the store is locked ("COMPLIANCE" when nobody can alter or delete), or None."""

    @abc.abstractmethod
    def retention_of(self, key: str) -> str | None:
        """The lock an object is under ("COMPLIANCE" when nobody can alter or delete it)."""

    @abc.abstractmethod
    def create_entry(self, key: str, data: bytes) -> None:
        """Create `key` only if it does not exist; raise ConcurrentWriterError if it does."""

    # -- shared behaviour --------------------------------------------------------------------
    def sha256_of(self, key: str) -> tuple[str, int]:
        """Download and hash an object (streaming, constant memory)."""
        hasher = hashlib.sha256()
        size = 0
        with self.open(key) as body:
            for chunk in iter(lambda: body.read(CHUNK), b""):
                hasher.update(chunk)
                size += len(chunk)
        return hasher.hexdigest(), size

    def download(self, key: str, destination: IO[bytes]) -> None:
        with self.open(key) as body:
            for chunk in iter(lambda: body.read(CHUNK), b""):
                destination.write(chunk)

    def write_once(
        self,
        key: str,
        artifact: tuple[str, int, str],
        write: Callable[[str], None],
        conflict: type[BaseException],
    ) -> Artifact:
        """Create `key` with `write` (which raises `conflict` if it exists), for an artifact of
        (sha256, size, description). The same bytes already there are the same artifact (a
        retry whose first answer was lost); different bytes (a re-run collected again, or an
        upload cut short, whose declared digest covers bytes it never sent, so the stored bytes
        are what is compared) get a name of their own."""
        digest, size, description = artifact
        try:
            write(key)
        except conflict:
            if self.sha256_of(key)[0] != digest:
                key = f"{key}.{digest[:12]}"
                try:
                    write(key)
                except conflict:
                    if self.sha256_of(key)[0] != digest:
                        raise
        return Artifact(key=key, sha256=digest, size=size, description=description)

    def write_batch(self, case: str, entries: Sequence[Entry]) -> None:
        data = "".join(entry.line() + "\n" for entry in entries).encode()
        key = self.entry_key(case, entries[0].seq)
        try:
            self.create_entry(key, data)
        except ConcurrentWriterError:
            # A retried write whose first answer was lost (the connection dropped after the
            # store applied it) finds its own bytes there: that is this write succeeding, not a
            # second responder; anything else there is one.
            if not self._holds(key, data):
                raise

    def _holds(self, key: str, data: bytes) -> bool:
        with self.open(key) as body:
            return bytes(body.read()) == data

    def batch_starts(self, case: str) -> list[int]:
        """The first sequence number of each stored batch of custody entries, in order."""
        prefix = self.custody_prefix(case)
        starts = []
        for item in self.list_objects(prefix):
            name = item.key[len(prefix) :].removesuffix(".json")
            if name.isdigit():
                starts.append(int(name))
        return sorted(starts)

    def read_batch(self, case: str, start: int) -> list[Entry]:
        key = self.entry_key(case, start)
        with self.open(key) as body:
            lines = [line for line in body.read().splitlines() if line.strip()]
        try:
            return [Entry.parse(line) for line in lines]
        except (ValueError, KeyError, TypeError) as error:
            raise DamagedCustodyError(case, key, error) from error

    def read_all_entries(self, case: str) -> list[Entry]:
        return [e for start in self.batch_starts(case) for e in self.read_batch(case, start)]


class DamagedCustodyError(ValueError):
    """A stored custody entry that does not parse: written by something else, or cut short by a
    store that kept half a body. The log cannot be continued (the chain would skip it) and, being
    locked, cannot be mended: the case stops here, and verification names the damage."""

    def __init__(self, case: str, key: str, error: Exception) -> None:
        super().__init__(
            f"custody entry {key} is unreadable ({str(error)[:80]}): case {case}'s log is "
            f"damaged and takes no more entries; `prewire evidence verify {case}` reports it, "
            "and a new case id continues the response"
        )


def concurrent_writer_message(key: str) -> str:
    return (
        f"custody entry {key} already exists: another responder is writing to this case; "
        "re-run to continue after it"
    )
