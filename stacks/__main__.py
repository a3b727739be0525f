"""Pulumi entry point. The only module that reads `pulumi.Config`."""

from __future__ import annotations

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from stacks import settings
from stacks.program import deploy

NAMESPACE = "prewire"


def _keys_set_on_stack() -> set[str]:
    """Names of every `prewire:` key in the stack's config, so typos are reported, not ignored."""
    every = {**get_config_env(), **CONFIG.get()}
    return {key.split(":", 1)[1] for key in every if key.startswith(f"{NAMESPACE}:")}


_config = pulumi.Config(NAMESPACE)
_raw = {key: _config.get(key) for key in sorted(set(settings.CONFIG_KEYS) | _keys_set_on_stack())}
try:
    _settings = settings.parse(_raw)
except settings.SettingsError as error:
    raise pulumi.RunError(str(error)) from None

deploy(_settings)
