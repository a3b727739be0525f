"""The context an Azure action runs in, and opening a case: discovery, overrides, the evidence
store, the actor and the custody log, in one place for the CLI and the drills."""

from __future__ import annotations

import base64
import json
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from prewire.core.evidence.layout import CASES_ROOT
from responders.azure.discovery import Overrides, Prewired, apply_overrides, discover
from responders.azure.session import ARM, AzureClients, error_code
from responders.azure.store import BlobEvidenceStore, account_blob_endpoint
from responders.case import CaseContext, Options, check_case_id, open_custody
from responders.runtime import InputError, NullProgress, Progress, Step

log = logging.getLogger("prewire.responders")


@dataclass(kw_only=True)
class AzureCase(CaseContext):
    clients: AzureClients
    prewired: Prewired
    store: BlobEvidenceStore | None
    missing_store: str = (
        "no evidence storage account: deploy the stack (it tags one prewire:role=evidence-store) "
        "or pass --evidence-account"
    )

    def require_store(self) -> BlobEvidenceStore:
        store = super().require_store()
        assert isinstance(store, BlobEvidenceStore)
        return store

    def recording(self, step: Step) -> AbstractContextManager[None]:
        return self.clients.recording(step)

    def isolation_nsg(self, location: str) -> str:
        nsgs = self.prewired.isolation_nsgs
        found = nsgs.get(location.lower()) or nsgs.get("*")
        if not found:
            raise InputError(
                f"no isolation network security group for {location}: deploy the stack with "
                f"{location} in prewire:azure.locations, or pass --isolation-nsg"
            )
        return found


def caller(clients: AzureClients) -> str:
    """Who is acting, from the token's claims (upn, else app or object id)."""
    try:
        token = clients.credential.get_token(f"{ARM}/.default").token
    except ClientAuthenticationError as error:
        raise InputError(
            f"no Azure credentials: sign in (az login) or set them ({error.message})"
        ) from error
    claims = _claims(token)
    for key, label in (("upn", ""), ("unique_name", ""), ("appid", "app:"), ("oid", "object:")):
        if claims.get(key):
            return f"{label}{claims[key]}"
    return "unknown principal"


def _claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError):
        return {}


def open_case(
    clients: AzureClients,
    case_id: str,
    *,
    overrides: Overrides | None = None,
    dry_run: bool = False,
    options: Options | None = None,
    progress: Progress | None = None,
    root: str = CASES_ROOT,
) -> AzureCase:
    check_case_id(case_id)
    actor = caller(clients)
    prewired = apply_overrides(discover(clients), overrides or Overrides())
    warnings: list[str] = []
    store = None
    if prewired.evidence_account_id:
        try:
            endpoint = account_blob_endpoint(clients, prewired.evidence_account_id)
        except HttpResponseError as error:
            raise InputError(
                f"evidence account {prewired.evidence_account_id}: {error_code(error)}"
            ) from error
        store = BlobEvidenceStore(clients, prewired.evidence_account_id, endpoint, root)
        mode = store.lock_mode()
        if mode != "COMPLIANCE":
            lock = "no immutability policy" if mode is None else "an unlocked immutability policy"
            warnings.append(
                f"evidence container {store.bucket} has {lock}: artifacts can be altered"
            )
    if prewired.discovery_error:
        warnings.append(prewired.discovery_error)
    case = AzureCase(
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
    for warning in warnings:
        log.warning(warning)
    return case
