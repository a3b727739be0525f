"""The registries every face uses: name-keyed (actions, playbooks, controls, drill scenarios)
and one item per cloud (`PerCloud`: target openers and validators, plan sections, providers).

Callers look things up by name instead of branching per cloud; registering the same key twice
is a programming error and fails loudly at import time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

from prewire.core.vocabulary import Cloud

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class DuplicateRegistrationError(ValueError):
    pass


class UnknownNameError(LookupError):
    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"unknown {kind} '{name}'; known: {', '.join(sorted(known)) or 'none'}")
        self.name = name


class Registry(Generic[K, T]):
    def __init__(self, kind: str, key: Callable[[T], K]) -> None:
        self.kind = kind
        self._key = key
        self._items: dict[K, T] = {}

    def add(self, item: T) -> T:
        key = self._key(item)
        if key in self._items:
            raise DuplicateRegistrationError(f"{self.kind} {key!r} is registered twice")
        self._items[key] = item
        return item

    def get(self, key: K) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise UnknownNameError(self.kind, str(key), [str(k) for k in self._items]) from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


class PerCloud(Generic[T]):
    """One registered item per cloud (a target opener, a plan section, a provider...), added by
    each cloud's package through `register(cloud)`; a second one for a cloud fails loudly."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[Cloud, T] = {}

    def register(self, cloud: Cloud) -> Callable[[T], T]:
        def add(item: T) -> T:
            if cloud in self._items:
                raise DuplicateRegistrationError(
                    f"{self.kind} of {cloud.value} is registered twice"
                )
            self._items[cloud] = item
            return item

        return add

    def __getitem__(self, cloud: Cloud) -> T:
        try:
            return self._items[cloud]
        except KeyError:
            known = [c.value for c in self._items]
            raise UnknownNameError(self.kind, cloud.value, known) from None

    def values(self) -> list[T]:
        return list(self._items.values())


def check_kebab_case(name: str) -> str:
    if not KEBAB_CASE.fullmatch(name):
        raise ValueError(f"'{name}' is not a kebab-case name")
    return name
