"""Static rules for the GCP controls (see policies/controls/gcp.py for what each one means), a
module per service group. Importing the package registers every rule.

Networks are matched by name (a reference may be a name, a path or a self link); buckets by name.
"""

from __future__ import annotations

from prewire.core.clouds import load_modules

load_modules(__name__, __path__)
