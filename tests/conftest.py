from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_AWS = ROOT / "Pulumi.example-aws.yaml"


@pytest.fixture(scope="session")
def example_aws_config() -> dict[str, str]:
    from prewire.render import load_stack_config

    return load_stack_config(EXAMPLE_AWS, "prewire")


@pytest.fixture(scope="session", autouse=True)
def _fidelity_observer() -> Iterator[None]:
    """Every exchange with a local fake, checked against the official API descriptions."""
    from prewire.emulator.serving import observing
    from tests.fidelity.session import SESSION

    with observing(SESSION):
        yield


@pytest.fixture(autouse=True)
def _fidelity(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test during which a fake's exchange broke the provider's description."""
    from tests.fidelity.session import SESSION

    before = len(SESSION.violations)
    yield
    if request.node.get_closest_marker("fidelity_violations_expected"):
        del SESSION.violations[before:]
        return
    found = SESSION.violations[before:]
    if found:
        shown = "\n".join(dict.fromkeys(found))
        pytest.fail(f"exchanges that break the official API description:\n{shown}", pytrace=False)
