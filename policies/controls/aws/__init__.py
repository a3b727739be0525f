"""AWS readiness controls, a module per service group; the static rules (policies/static/aws/)
and live checks (policies/live/aws/) use the same grouping. Importing the package registers
every control.
"""

from __future__ import annotations

from prewire.core.clouds import load_modules

load_modules(__name__, __path__)
