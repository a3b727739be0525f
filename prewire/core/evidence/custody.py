"""The custody log: an append-only, hash-chained record of everything done for a case.

Each entry names who acted (caller identity), what they did (action, target, API calls and
their request ids), when (UTC), the artifacts produced with their SHA-256, and the hash of the
previous entry. Editing, removing or reordering any entry breaks the chain, which
`prewire evidence verify` reports.

Entries are serialised as canonical JSON (sorted keys, no spaces); an entry's `hash` is the
SHA-256 of its canonical form without the `hash` field. The log reads as JSON lines in `seq`
order.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS = "0" * 64


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Artifact:
    """A stored piece of evidence: where it is and what its bytes hash to."""

    key: str
    sha256: str
    size: int
    description: str = ""


@dataclass(frozen=True)
class ApiCall:
    service: str
    operation: str
    request_id: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Entry:
    seq: int
    case: str
    time: str
    actor: str
    action: str
    target: str
    status: str
    message: str
    calls: tuple[ApiCall, ...]
    artifacts: tuple[Artifact, ...]
    state: Mapping[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hash")
        return data

    def line(self) -> str:
        return canonical(asdict(self))

    @staticmethod
    def parse(line: str | bytes) -> Entry:
        data = json.loads(line)
        return Entry(
            seq=int(data["seq"]),
            case=data["case"],
            time=data["time"],
            actor=data["actor"],
            action=data["action"],
            target=data["target"],
            status=data["status"],
            message=data.get("message", ""),
            calls=tuple(ApiCall(**c) for c in data.get("calls", [])),
            artifacts=tuple(Artifact(**a) for a in data.get("artifacts", [])),
            state=data.get("state", {}),
            prev=data["prev"],
            hash=data["hash"],
        )

    def computed_hash(self) -> str:
        return sha256_hex(canonical(self.body()).encode())


class EntrySink(Protocol):
    """Where entries are persisted (the evidence store), a batch of consecutive entries per
    object named by its first sequence number. `write_batch` must refuse to overwrite an
    existing object, so two writers cannot silently fork a chain."""

    def write_batch(self, case: str, entries: Sequence[Entry]) -> None: ...

    def batch_starts(self, case: str) -> list[int]: ...

    def read_batch(self, case: str, start: int) -> list[Entry]: ...


class CustodyWriteError(RuntimeError):
    """An entry could not be stored: the case's log takes nothing more in this run."""


class ConcurrentWriterError(CustodyWriteError):
    """Another writer appended to this case's log at the same time."""


class CustodyLog:
    """Appends entries for one case.

    Thread-safe: the sequence number and chain link are assigned under a lock, so concurrent
    responders in one process extend one chain. Writes are group-committed: while one write to
    the store is in flight, entries appended meanwhile wait, and the next write stores all of
    them as one immutable object. `append` returns only once its entry is stored, so nothing is
    reported done before it is recorded; at a hundred targets this is a few dozen store writes
    instead of one per entry. After a failed write the log refuses further entries (a gap
    would break the chain); re-opening the case continues from the last stored entry.
    """

    def __init__(self, case: str, sink: EntrySink, actor: str) -> None:
        self.case = case
        self.actor = actor
        self._sink = sink
        self._lock = threading.Lock()
        self._written = threading.Condition(self._lock)
        self._stored_starts = sorted(sink.batch_starts(case))
        last_batch = sink.read_batch(case, self._stored_starts[-1]) if self._stored_starts else []
        last = last_batch[-1] if last_batch else None
        self._next_seq = last.seq + 1 if last else 0
        self._last_hash = last.hash if last else GENESIS
        self._stored_through = self._next_seq - 1
        self._pending: list[Entry] = []
        self._writing = False
        self._failure: BaseException | None = None
        self._appended: list[Entry] = []
        self._earlier: list[Entry] | None = None

    def append(
        self,
        *,
        action: str,
        target: str,
        status: str,
        message: str = "",
        calls: Sequence[ApiCall] = (),
        artifacts: Iterable[Artifact] = (),
        state: Mapping[str, Any] | None = None,
    ) -> Entry:
        with self._lock:
            self._raise_if_failed()
            body = {
                "seq": self._next_seq,
                "case": self.case,
                "time": utc_now(),
                "actor": self.actor,
                "action": action,
                "target": target,
                "status": status,
                "message": message,
                "calls": [asdict(c) for c in calls],
                "artifacts": [asdict(a) for a in artifacts],
                "state": dict(state or {}),
                "prev": self._last_hash,
            }
            # Round-trip through JSON so the hash covers exactly what is stored.
            normal = json.loads(canonical(body))
            digest = sha256_hex(canonical(normal).encode())
            entry = Entry.parse(canonical({**normal, "hash": digest}))
            self._next_seq += 1
            self._last_hash = entry.hash
            self._appended.append(entry)
            self._pending.append(entry)
            batch = self._wait_or_lead(entry)
        if batch:
            self._write(batch)
        return entry

    def _wait_or_lead(self, entry: Entry) -> list[Entry]:
        """Under the lock: wait until `entry` is stored (returns []), or, when no write is in
        flight and it is still pending, take every pending entry to write (this thread leads)."""
        while True:
            self._raise_if_failed()
            if self._stored_through >= entry.seq:
                return []
            if not self._writing:
                batch, self._pending, self._writing = self._pending, [], True
                return batch
            self._written.wait()

    def _write(self, batch: list[Entry]) -> None:
        try:
            self._sink.write_batch(self.case, batch)
        except BaseException as error:  # waiters must never hang on a write that ended
            with self._lock:
                self._failure, self._writing = error, False
                self._written.notify_all()
            if isinstance(error, CustodyWriteError) or not isinstance(error, Exception):
                raise
            self._raise_if_failed()  # the store's own error, as one line naming the case
        with self._lock:
            self._stored_through, self._writing = batch[-1].seq, False
            self._written.notify_all()

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise CustodyWriteError(
                f"the custody log of case {self.case} stopped at a failed write "
                f"({self._failure}); re-run to continue from the last stored entry"
            ) from self._failure

    def history(self, target: str | None = None, action: str | None = None) -> list[Entry]:
        """Entries of this case (stored before and appended now), optionally filtered."""
        with self._lock:
            if self._earlier is None:
                self._earlier = [
                    entry
                    for start in self._stored_starts
                    for entry in self._sink.read_batch(self.case, start)
                ]
            entries = [*self._earlier, *self._appended]
        return [
            e
            for e in entries
            if (target is None or e.target == target) and (action is None or e.action == action)
        ]


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    problem: str


def verify_chain(entries: Sequence[Entry]) -> list[ChainProblem]:
    """Every way the sequence of entries fails to be one unbroken, unedited chain."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    expected_seq = 0
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq != expected_seq:
            missing = ", ".join(str(s) for s in range(expected_seq, entry.seq))
            problems.append(
                ChainProblem(
                    entry.seq,
                    f"entries missing before seq {entry.seq}: {missing or 'duplicate seq'}",
                )
            )
        if entry.computed_hash() != entry.hash:
            problems.append(ChainProblem(entry.seq, "entry was altered (hash does not match)"))
        if entry.prev != previous:
            problems.append(
                ChainProblem(
                    entry.seq, "chain broken (prev does not match the previous entry's hash)"
                )
            )
        previous = entry.hash
        expected_seq = entry.seq + 1
    return problems
