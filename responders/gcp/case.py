"""The context a GCP action runs in, and opening a case: discovery, overrides, the evidence
store, the actor and the custody log, in one place for the CLI and the drills."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass

from prewire.core.evidence.layout import CASES_ROOT
from responders.case import CaseContext, Options, check_case_id, open_custody
from responders.gcp import session
from responders.gcp.discovery import Prewired, discover
from responders.gcp.session import GcpClients
from responders.gcp.store import COMPLIANCE, GcsEvidenceStore
from responders.runtime import InputError, NullProgress, Progress, Step, recording

log = logging.getLogger("prewire.responders")


@dataclass(kw_only=True)
class GcpCase(CaseContext):
    clients: GcpClients
    prewired: Prewired
    store: GcsEvidenceStore | None
    missing_store: str = (
        "no evidence bucket: deploy the stack (it labels one prewire-role=evidence-store) "
        "or pass --evidence-bucket"
    )

    def recording(self, step: Step) -> AbstractContextManager[None]:
        return recording(step)


def caller(clients: GcpClients) -> str:
    """Who is acting: the service account of the credentials, else what ADC says."""
    credentials = clients.credentials
    if credentials is None:
        import google.auth.exceptions

        try:
            credentials = session.default_credentials()
        except google.auth.exceptions.DefaultCredentialsError as error:
            raise InputError(
                "no GCP credentials: run `gcloud auth application-default login` or set "
                f"GOOGLE_APPLICATION_CREDENTIALS ({error})"
            ) from error
        clients.credentials = credentials
    email = getattr(credentials, "service_account_email", None)
    if email and email != "default":
        return str(email)
    return "anonymous" if type(credentials).__name__ == "AnonymousCredentials" else "gcp-user"


def open_case(
    clients: GcpClients,
    case_id: str,
    *,
    evidence_bucket: str | None = None,
    dry_run: bool = False,
    options: Options | None = None,
    progress: Progress | None = None,
    root: str = CASES_ROOT,
) -> GcpCase:
    check_case_id(case_id)
    actor = caller(clients)
    prewired = discover(clients, evidence_bucket)
    warnings: list[str] = []
    store = None
    if prewired.evidence_bucket:
        store = GcsEvidenceStore(clients, prewired.evidence_bucket, root)
        mode = store.lock_mode()
        if mode != COMPLIANCE:
            lock = "no retention policy" if mode is None else "an unlocked retention policy"
            warnings.append(
                f"evidence bucket {store.bucket} has {lock}: artifacts can be altered or deleted"
            )
    if prewired.discovery_error:
        warnings.append(prewired.discovery_error)
    for warning in warnings:
        log.warning(warning)
    return GcpCase(
        case_id=case_id,
        clients=clients,
        prewired=prewired,
        store=store,
        custody=open_custody(case_id, store, actor, dry_run=dry_run),
        dry_run=dry_run,
        options=options or Options(),
        progress=progress or NullProgress(),
        actor=actor,
        warnings=warnings,
    )
