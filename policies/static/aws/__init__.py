"""Static rules for the AWS controls (see policies/controls/aws/ for what each one means), a module
per service group as the catalogue groups them. Importing the package registers every rule.
"""

from __future__ import annotations

from prewire.core.clouds import load_modules

load_modules(__name__, __path__)
