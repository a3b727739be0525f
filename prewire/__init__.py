"""prewire: forensic readiness for AWS, Azure and GCP.

This package must stay import-light: the deployed responder function packages it next to
`responders/`, where only the standard library and boto3 exist.
"""

from __future__ import annotations

__version__ = "0.1.0"
