"""`prewire evidence verify`: recompute every artifact hash and the custody chain of a case.

Names every missing, altered or extra artifact and every break in the chain. Works on any
store that lists, hashes and reads custody entries (S3 today; Azure and GCP stores too).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from prewire.core.evidence.custody import Artifact, CustodyLog, Entry, verify_chain


class StoredObjectLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def size(self) -> int: ...


class VerifiableStore(Protocol):
    def case_prefix(self, case: str) -> str: ...

    def custody_prefix(self, case: str) -> str: ...

    def list_objects(self, prefix: str) -> Iterator[StoredObjectLike]: ...

    def sha256_of(self, key: str) -> tuple[str, int]: ...

    def batch_starts(self, case: str) -> list[int]: ...

    def read_batch(self, case: str, start: int) -> list[Entry]: ...


@dataclass(frozen=True)
class Problem:
    kind: str  # missing | altered | extra | chain | unreadable
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.detail}"


@dataclass
class Verification:
    case: str
    entries: int = 0
    artifacts: int = 0
    verified_bytes: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.entries > 0


def stored_artifacts(store: VerifiableStore, case: str) -> dict[str, int]:
    """Every object of the case outside its custody log, by key, with its size."""
    custody_prefix = store.custody_prefix(case)
    return {
        o.key: o.size
        for o in store.list_objects(store.case_prefix(case))
        if not o.key.startswith(custody_prefix)
    }


INTERRUPTED = "record-interrupted"


def record_interrupted(log: CustodyLog, store: VerifiableStore) -> Entry | None:
    """Record what an interrupted run stored but never recorded (killed between an upload and
    its custody entry, or an upload cut short), hashed as found now. Nothing is deleted (the
    store could not, and it is evidence too); from here on verification checks it like any
    artifact, and the entry says where it came from. Called when a case is opened again."""
    entries = [
        e for start in store.batch_starts(log.case) for e in store.read_batch(log.case, start)
    ]
    recorded = {a.key for e in entries for a in e.artifacts}
    keys = sorted(set(stored_artifacts(store, log.case)) - recorded)
    if not keys:
        return None
    found = [
        Artifact(key=key, sha256=digest, size=size, description=INTERRUPTED_ARTIFACT)
        for key, (digest, size) in zip(keys, map(store.sha256_of, keys), strict=True)
    ]
    return log.append(
        action=INTERRUPTED,
        target=log.case,
        status="recorded",
        message=f"{len(found)} object(s) an interrupted run stored without a custody entry",
        artifacts=found,
    )


INTERRUPTED_ARTIFACT = "stored by an interrupted run before its custody entry; hashed when found"


def verify_case(store: VerifiableStore, case: str, *, workers: int = 8) -> Verification:
    result = Verification(case=case)
    entries: list[Entry] = []
    for start in store.batch_starts(case):
        try:
            batch = store.read_batch(case, start)
        except (ValueError, KeyError, TypeError) as error:
            result.problems.append(
                Problem("unreadable", f"custody entry {start}", str(error.__cause__ or error)[:120])
            )
            continue
        if batch and batch[0].seq != start:  # an object renamed or its first entry removed
            result.problems.append(
                Problem(
                    "chain",
                    f"custody entry {start}",
                    f"stored under {start}, holds seq {batch[0].seq}",
                )
            )
        entries.extend(batch)
    result.entries = len(entries)
    if not entries and not result.problems:
        result.problems.append(Problem("missing", f"case {case}", "no custody log found"))
    for chain_problem in verify_chain(entries):
        result.problems.append(
            Problem("chain", f"custody entry {chain_problem.seq}", chain_problem.problem)
        )
    expected = {a.key: a for e in entries for a in e.artifacts}
    stored = stored_artifacts(store, case)
    for key in sorted(set(stored) - set(expected)):
        result.problems.append(Problem("extra", key, "stored but not in the custody log"))
    present = sorted(set(expected) & set(stored))
    for key in sorted(set(expected) - set(stored)):
        result.problems.append(Problem("missing", key, "in the custody log but not stored"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for key, (digest, size) in zip(present, pool.map(store.sha256_of, present), strict=True):
            result.artifacts += 1
            result.verified_bytes += size
            if digest != expected[key].sha256 or size != expected[key].size:
                result.problems.append(
                    Problem(
                        "altered",
                        key,
                        f"sha256 {digest[:16]}… ({size} bytes), custody says "
                        f"{expected[key].sha256[:16]}… ({expected[key].size} bytes)",
                    )
                )
    return result
