"""What every responder action runs inside, on every cloud.

A `Step` is one action on one target: it collects the API calls made (with request ids), the
calls planned under `--dry-run`, the artifacts stored and the state recorded for a later
release. `execute` runs an action, turns failures into a recorded outcome, and appends the
custody entry, so nothing done is left unrecorded.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from prewire.core.evidence.custody import ApiCall, Artifact, CustodyLog

log = logging.getLogger("prewire.responders")


class Status(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    COLLECTED = "collected"
    PLANNED = "planned"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


class InputError(Exception):
    """Bad input found before anything changed: unknown id, wrong region, malformed value."""


class ActionFailed(Exception):
    """The action could not finish; what it did so far is recorded."""


class Unsupported(Exception):
    """The target (often an emulator) lacks an API the action needs. Never reported as success."""


class ProgressTask(Protocol):
    def update(self, completed: float, total: float | None = None, note: str = "") -> None: ...

    def close(self) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: float | None = None) -> ProgressTask: ...


class _NullTask:
    def update(self, completed: float, total: float | None = None, note: str = "") -> None:
        return None

    def close(self) -> None:
        return None


class NullProgress:
    def task(self, description: str, total: float | None = None) -> ProgressTask:
        return _NullTask()


@dataclass(frozen=True)
class PlannedCall:
    service: str
    operation: str
    params: Mapping[str, Any]

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.service}.{self.operation}({args})"


@dataclass
class Step:
    action: str
    target: str
    dry_run: bool
    calls: list[ApiCall] = field(default_factory=list)
    planned: list[PlannedCall] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Parameters of mutating calls, matched to the recorded call by operation name.
    _pending_params: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning("%s %s: %s", self.action, self.target, message)

    def planned_artifact(self, name: str) -> None:
        self.planned.append(PlannedCall("evidence", "PutObject", {"Key": name}))

    def record_call(self, call: ApiCall) -> None:
        for index, (operation, params) in enumerate(self._pending_params):
            if operation == call.operation:
                del self._pending_params[index]
                call = ApiCall(call.service, call.operation, call.request_id, params, call.error)
                break
        self.calls.append(call)

    def change(self, service: str, client: Any, method: str, **params: Any) -> Any:
        """Make a mutating call, or under dry-run only plan it. Reads go to the client directly.

        boto3 clients report calls by API name, so the parameters are matched to the reported
        call here; Azure's recorder takes them from the request body itself.
        """
        api_names = getattr(getattr(client, "meta", None), "method_to_api_mapping", None)
        operation = api_names.get(method, method) if api_names is not None else method
        if self.dry_run:
            self.planned.append(PlannedCall(service, operation, params))
            return None
        if api_names is not None:
            self._pending_params.append((operation, params))
        return getattr(client, method)(**params)


_ACTIVE_STEP: contextvars.ContextVar[Step | None] = contextvars.ContextVar("step", default=None)


def active_step() -> Step | None:
    """The step running in this thread, to which every cloud API call is reported."""
    return _ACTIVE_STEP.get()


@contextlib.contextmanager
def recording(step: Step) -> Iterator[None]:
    """Report the API calls this thread makes to `step` (any cloud's client factory)."""
    token = _ACTIVE_STEP.set(step)
    try:
        yield
    finally:
        _ACTIVE_STEP.reset(token)


@dataclass
class Outcome:
    action: str
    target: str
    status: Status
    message: str
    calls: list[ApiCall]
    planned: list[PlannedCall]
    artifacts: list[Artifact]
    state: dict[str, Any]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return self.status not in (Status.FAILED, Status.UNSUPPORTED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "target": self.target,
            "status": self.status.value,
            "message": self.message,
            "api_calls": len(self.calls),
            "planned_calls": [str(p) for p in self.planned],
            "artifacts": [a.__dict__ for a in self.artifacts],
            "warnings": self.warnings,
        }


ActionBody = Callable[[Step], Status]


def execute(
    action: str,
    target: str,
    body: ActionBody,
    *,
    dry_run: bool,
    custody: CustodyLog | None,
    recorder: Callable[[Step], Any],
) -> Outcome:
    """Run `body` for one target, record every call, and append the custody entry.

    `recorder(step)` is a context manager from the cloud session that routes the SDK's
    call events into the step. `InputError` propagates (nothing changed, nothing to record).
    """
    step = Step(action=action, target=target, dry_run=dry_run)
    with recorder(step):
        try:
            status = body(step)
            message = "; ".join(step.notes) or status.value
        except InputError:
            raise
        except Unsupported as error:
            status, message = Status.UNSUPPORTED, str(error)
        except Exception as error:  # recorded and reported, never swallowed silently
            log.debug("action %s on %s failed", action, target, exc_info=True)
            status = Status.FAILED
            done = f" after {len(step.calls)} API calls" if step.calls else ""
            message = f"{type(error).__name__}: {error}{done}".strip()
            if step.notes:
                message = "; ".join(step.notes) + "; " + message
    if dry_run:
        status = Status.PLANNED if step.planned and status is not Status.FAILED else status
    elif custody is not None:
        custody.append(
            action=action,
            target=target,
            status=status.value,
            message=message,
            calls=step.calls,
            artifacts=step.artifacts,
            state=step.state,
        )
    return Outcome(
        action=action,
        target=target,
        status=status,
        message=message,
        calls=step.calls,
        planned=step.planned,
        artifacts=step.artifacts,
        state=step.state,
        warnings=step.warnings,
    )
