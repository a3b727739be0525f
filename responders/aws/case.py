"""The context an AWS action runs in: clients, prewired resources, evidence store, custody."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from responders.aws.discovery import Prewired
from responders.aws.session import AwsClients
from responders.aws.store import S3EvidenceStore
from responders.case import CaseContext, Options
from responders.runtime import Step

__all__ = ["AwsCase", "Options"]


@dataclass(kw_only=True)
class AwsCase(CaseContext):
    clients: AwsClients
    prewired: Prewired
    store: S3EvidenceStore | None
    missing_store: str = (
        "no evidence bucket: the stack publishes /prewire/aws/evidence-bucket, "
        "or pass --evidence-bucket"
    )

    def require_store(self) -> S3EvidenceStore:
        store = super().require_store()
        assert isinstance(store, S3EvidenceStore)
        return store

    def recording(self, step: Step) -> AbstractContextManager[None]:
        return self.clients.recording(step)

    def pacing_note(self) -> str:
        pacer = self.clients.pacer
        return pacer.summary() if pacer is not None else ""
