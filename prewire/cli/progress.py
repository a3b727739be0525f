"""Rich progress bars for long waits (snapshots, memory capture), shown on stderr."""

from __future__ import annotations

import threading

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from prewire.cli.common import errors


class _Task:
    def __init__(self, owner: RichProgress, task_id: int) -> None:
        self._owner = owner
        self._id = task_id

    def update(self, completed: float, total: float | None = None, note: str = "") -> None:
        with self._owner.lock:
            fields = {"note": note} if note else {}
            self._owner.bars.update(self._id, completed=completed, total=total, **fields)  # type: ignore[arg-type]

    def close(self) -> None:
        with self._owner.lock:
            self._owner.bars.remove_task(self._id)  # type: ignore[arg-type]


class RichProgress:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = False
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
        )

    def task(self, description: str, total: float | None = None) -> _Task:
        with self.lock:
            # Started at the first wait, so a run that stops early prints nothing of its own.
            if not self.started:
                self.bars.start()
                self.started = True
            return _Task(self, self.bars.add_task(description, total=total, note=""))

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bars.stop()
