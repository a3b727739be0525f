"""Azure responder tests run against the local fake of the ARM, Blob and Log Analytics APIs
(HTTPS on 127.0.0.1, one per worker), reset per test with the kit's Azure stack deployed into it
(rendered and created through the API) and a victim."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from prewire.core.vocabulary import Cloud
from prewire.drill.azure.account import AzurePrewired, deploy_stack
from prewire.drill.azure.victim import AzureVictim, seed_victim
from prewire.emulator.azure import FakeAzure
from responders.azure.case import AzureCase, open_case
from responders.azure.session import AzureClients
from responders.case import Options
from responders.playbooks import PLAYBOOKS
from responders.registry import ACTIONS, load_cloud
from responders.runner import run_action, run_playbook
from responders.runtime import Outcome


@dataclass
class Subscription:
    fake: FakeAzure
    clients: AzureClients
    prewired: AzurePrewired
    victim: AzureVictim

    def resource(self, resource_id: str) -> dict[str, Any]:
        found = self.fake.state.get(resource_id)
        assert found is not None, resource_id
        return found


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeAzure]:
    with FakeAzure() as azure:
        yield azure


@pytest.fixture
def subscription(fake: FakeAzure) -> Subscription:
    fake.reset()
    prewired = deploy_stack(fake)
    victim = seed_victim(fake, "t1", prewired)
    return Subscription(fake, fake.clients(), prewired, victim)


def open_test_case(
    subscription: Subscription, case: str = "case-1", *, dry_run: bool = False, **options: Any
) -> AzureCase:
    return open_case(subscription.clients, case, options=Options(**options), dry_run=dry_run)


def act(case: AzureCase, action: str, *targets: str) -> list[Outcome]:
    load_cloud(Cloud.AZURE)
    return run_action(case, ACTIONS.get((Cloud.AZURE, action)), list(targets))


def play(case: AzureCase, playbook: str, *targets: str) -> list[Outcome]:
    load_cloud(Cloud.AZURE)
    return run_playbook(
        case,
        PLAYBOOKS.get((Cloud.AZURE, playbook)),
        list(targets),
        lambda name: ACTIONS.get((Cloud.AZURE, name)),
    )
