"""Reading raw config strings into typed values, collecting every problem before failing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any


class SettingsError(ValueError):
    """Configuration that cannot be deployed; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid prewire configuration:\n  - " + "\n  - ".join(problems))
        self.problems = problems


class Reader:
    """Reads raw config strings, collecting problems instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, str | None]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def _value(self, key: str) -> Any:
        text = self.raw.get(key)
        if text is None or text == "":
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # plain strings are stored unquoted by the Pulumi CLI

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"prewire:{key}: {message}")

    def require(self, cloud: str, values: Mapping[str, object]) -> None:
        """A problem for each of the cloud's required keys that is missing (a key already
        reported as malformed is not reported twice)."""
        for key, value in values.items():
            if value is None and not any(p.startswith(f"prewire:{key}:") for p in self.problems):
                self.fail(key, f"required when prewire:clouds includes {cloud}")

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._value(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {value!r}")
            return default
        if not low <= value <= high:
            self.fail(key, f"must be between {low} and {high}, got {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._value(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {value!r}")
            return default
        return value

    def string(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        # Strings are stored unquoted, so "444455556666" must not become a number.
        text = self.raw.get(key)
        if not text:
            return None
        value = json.loads(text) if text.startswith('"') else text
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(key, f"expected {what}, got {value!r}")
            return None
        return value

    def strings(self, key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...] | None:
        value = self._value(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(key, f"expected a list of {what}, got {value!r}")
            return None
        bad = [v for v in value if not isinstance(v, str) or not pattern.match(v)]
        if bad:
            self.fail(key, f"expected {what}; malformed: {', '.join(map(repr, bad))}")
        good = [v for v in value if v not in bad]
        return tuple(dict.fromkeys(good))


def read_ids(reader: Reader) -> list[str]:
    """Cluster and Function App ids as given (validated by their own keys)."""
    found: list[str] = []
    for key in ("azure.aksClusterIds", "azure.functionAppIds"):
        value = reader._value(key)
        if isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found


def or_default(value: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if value is None else value


def split_tag(tag: str) -> tuple[str, str]:
    key, value = tag.split("=", 1)
    return key, value
