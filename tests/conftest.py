from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_AWS = ROOT / "Pulumi.example-aws.yaml"


@pytest.fixture(scope="session")
def example_aws_config() -> dict[str, str]:
    from prewire.render import load_stack_config

    return load_stack_config(EXAMPLE_AWS, "prewire")
