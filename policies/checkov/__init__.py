"""checkov loads every module here; see prewire_checks.py."""
