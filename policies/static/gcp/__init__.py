"""Static rules for the GCP controls (see policies/controls/gcp.py for what each one means), a
module per service group. Importing the package registers every rule.

Networks are matched by name (a reference may be a name, a path or a self link); buckets by name.
"""

from __future__ import annotations

from policies.static.gcp import audit_log, common, detection, identity, network, storage, workloads

__all__ = ["common", "audit_log", "storage", "network", "workloads", "detection", "identity"]
