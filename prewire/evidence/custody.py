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
    """Where entries are persisted (the evidence store). `write_entry` must refuse to overwrite
    an existing sequence number, so two writers cannot silently fork a chain."""

    def write_entry(self, case: str, entry: Entry) -> None: ...

    def entry_seqs(self, case: str) -> list[int]: ...

    def read_entry(self, case: str, seq: int) -> Entry: ...


class ConcurrentWriterError(RuntimeError):
    """Another writer appended to this case's log at the same time."""


class CustodyLog:
    """Appends entries for one case.

    Thread-safe: the sequence number and chain link are assigned under a lock, so concurrent
    responders in one process extend one chain; the (slow) writes to the store happen outside
    the lock, each entry being its own immutable object.
    """

    def __init__(self, case: str, sink: EntrySink, actor: str) -> None:
        self.case = case
        self.actor = actor
        self._sink = sink
        self._lock = threading.Lock()
        self._stored_seqs = sorted(sink.entry_seqs(case))
        last = sink.read_entry(case, self._stored_seqs[-1]) if self._stored_seqs else None
        self._next_seq = last.seq + 1 if last else 0
        self._last_hash = last.hash if last else GENESIS
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
        self._sink.write_entry(self.case, entry)
        return entry

    def history(self, target: str | None = None, action: str | None = None) -> list[Entry]:
        """Entries of this case (stored before and appended now), optionally filtered."""
        with self._lock:
            if self._earlier is None:
                self._earlier = [self._sink.read_entry(self.case, s) for s in self._stored_seqs]
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
