"""Control definitions per cloud. Importing this package registers all of them."""

from __future__ import annotations

from policies.controls import aws, azure, gcp

__all__ = ["aws", "azure", "gcp"]
