"""Control definitions per cloud. Importing this package registers all of them."""

from __future__ import annotations

from policies.controls import aws, azure

__all__ = ["aws", "azure"]
