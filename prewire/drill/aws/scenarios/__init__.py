"""AWS drill scenarios, a module each, on the drills framework of `prewire.drill.scenarios`.
Importing the package registers every one.
"""

from __future__ import annotations

# The import order is the registration order, which is the order `prewire drill` runs them in.
# isort: off
from prewire.drill.aws.scenarios import common, instance, access_key, function, eks, ecs
# isort: on

__all__ = ["common", "instance", "access_key", "function", "eks", "ecs"]
