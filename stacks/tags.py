"""Tags every prewire resource carries, so audits and responders can tell what prewire owns."""

from __future__ import annotations

MANAGED_BY_KEY = "prewire:managed-by"
COMPONENT_KEY = "prewire:component"


def component_tags(component: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {MANAGED_BY_KEY: "prewire", COMPONENT_KEY: component, **(extra or {})}
