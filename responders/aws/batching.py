"""One CreateTags call for many resources that get the same tags.

A fleet's isolation tags every instance with the same two tags (the run's time and the case);
CreateTags takes many resource ids in one call, and each call takes a token of its own bucket, so
tagging 500 instances one call each would queue 500 calls behind the bucket's refill. Steps that
tag join a batch (group commit, as the custody log writes entries): the first waits a moment for
others, sends one call for all of them and every step returns only once that call succeeded (a
failure fails every step of the batch), so no step reports a tag it does not have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from responders.runtime import Step

LINGER_SECONDS = 0.05
MAX_RESOURCES = 500  # CreateTags accepts up to 1,000 resource ids; half keeps requests small


@dataclass
class _Batch:
    resources: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class TagBatcher:
    def __init__(self, ec2: Any, linger: float = LINGER_SECONDS) -> None:
        self.ec2 = ec2
        self.linger = linger
        self._open: dict[tuple[tuple[str, str], ...], _Batch] = {}
        self._lock = threading.Lock()

    def tag(self, resource: str, tags: list[dict[str, str]], step: Step) -> None:
        if step.dry_run:
            step.change("ec2", self.ec2, "create_tags", Resources=[resource], Tags=tags)
            return
        key = tuple(sorted((t["Key"], t["Value"]) for t in tags))
        with self._lock:
            batch = self._open.get(key)
            leader = batch is None
            if batch is None:
                batch = self._open[key] = _Batch()
            batch.resources.append(resource)
            if len(batch.resources) >= MAX_RESOURCES:
                self._open.pop(key, None)  # full: later arrivals start the next batch
        if not leader:
            batch.done.wait()
            if batch.error is not None:
                raise RuntimeError(f"tagging {resource} failed: {batch.error}") from batch.error
            step.note(f"tagged together with {len(batch.resources) - 1} other resource(s)")
            return
        batch.done.wait(self.linger)  # let the other steps of this moment join
        with self._lock:
            if self._open.get(key) is batch:
                del self._open[key]
            resources = list(batch.resources)
        try:
            step.change("ec2", self.ec2, "create_tags", Resources=resources, Tags=tags)
        except BaseException as error:
            batch.error = error
            raise
        finally:
            batch.done.set()
