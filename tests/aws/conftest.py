"""AWS responder tests run against moto's server in-process on 127.0.0.1 (one per worker),
reset and re-provisioned with the kit's stack and a victim workload for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from prewire.core.vocabulary import Cloud
from prewire.drill.aws.environment import PreparedAccount, prepare
from prewire.emulator.aws import EmbeddedAws
from responders.aws.case import AwsCase, Options
from responders.aws.opening import open_case
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_action
from responders.runtime import Outcome


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        yield aws


@pytest.fixture
def account(emulator: EmbeddedAws) -> PreparedAccount:
    emulator.reset()
    return prepare(emulator.clients(), "t1")


def open_test_case(
    account: PreparedAccount, case: str = "case-1", *, dry_run: bool = False, **options: Any
) -> AwsCase:
    return open_case(
        account.responder(), case, options=Options(poll_seconds=0.01, **options), dry_run=dry_run
    )


def act(case: AwsCase, action: str, *targets: str) -> list[Outcome]:
    load_cloud(Cloud.AWS)
    return run_action(case, ACTIONS.get((Cloud.AWS, action)), list(targets))


class _Forbidden:
    status_code = 403
    headers: ClassVar[dict[str, str]] = {}


def refused(code: str, message: str) -> tuple[Any, dict[str, Any]]:
    """A recorded AWS error response, for a `before-call` hook to answer a call with: moto does
    not enforce IAM, so a denied call is injected this way (and labelled so in the test)."""
    return _Forbidden(), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": "denied-1", "HTTPStatusCode": 403},
    }
