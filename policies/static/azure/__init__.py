"""Static rules for the Azure controls (see policies/controls/azure.py for what each one means),
a module per service group. Importing the package registers every rule.

References between resources are followed by value (a rendered program has every id) or, in
a CrossGuard preview where ids are still unknown, by the recorded property dependency.
"""

from __future__ import annotations

from prewire.core.clouds import load_modules

load_modules(__name__, __path__)
