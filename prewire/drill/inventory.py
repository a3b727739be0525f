"""What existed before the response, to prove afterwards that nothing was deleted, stopped or
terminated (the drill's "never destroy evidence" expectation), on any cloud.

Each cloud's target takes its own inventory (`prewire/drill/<cloud>/`); they share the
`Snapshot` protocol and the wording of what was lost.
"""

from __future__ import annotations

from typing import Any, Protocol


class Snapshot(Protocol):
    """An inventory of one cloud's account, taken before and after the response."""

    def lost_since(self, before: Any) -> list[str]:
        """Everything `before` held that is gone, stopped or terminated now."""
        ...


def gone(kind: str, was: frozenset[str], now: frozenset[str]) -> list[str]:
    return [f"{kind} {item} was deleted" for item in sorted(was - now)]
