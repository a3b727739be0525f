"""Opening a case: discovery, overrides, evidence store, actor and custody log, in one place
for the CLI, the deployed function and the drills."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

import botocore.exceptions

from prewire.core.evidence.custody import CustodyLog
from prewire.core.evidence.layout import CASES_ROOT
from prewire.core.evidence.verify import record_interrupted
from responders.aws.case import AwsCase, Options
from responders.aws.discovery import Overrides, apply_overrides, discover
from responders.aws.session import AwsClients, error_code
from responders.aws.store import S3EvidenceStore
from responders.case import check_case_id
from responders.runtime import InputError, NullProgress, Progress

log = logging.getLogger("prewire.responders")


def caller(clients: AwsClients) -> str:
    try:
        return str(clients.sts.get_caller_identity()["Arn"])
    except botocore.exceptions.NoCredentialsError as error:
        raise InputError("no AWS credentials: set a profile (--profile) or credentials") from error
    except botocore.exceptions.ClientError as error:
        raise InputError(f"cannot identify the caller: {error_code(error)}") from error


def _lock_warning(store: S3EvidenceStore, lock_mode: Future[str | None]) -> str | None:
    """Why artifacts in the evidence bucket could be altered (None when they cannot)."""
    try:
        mode = lock_mode.result()
    except botocore.exceptions.ClientError as error:
        raise InputError(f"evidence bucket {store.bucket}: {error_code(error)}") from error
    if mode == "COMPLIANCE":
        return None
    lock = "no Object Lock" if mode is None else f"Object Lock in {mode} mode"
    return f"evidence bucket {store.bucket} has {lock}: artifacts can be altered"


def open_case(
    clients: AwsClients,
    case_id: str,
    *,
    overrides: Overrides | None = None,
    dry_run: bool = False,
    options: Options | None = None,
    progress: Progress | None = None,
    root: str = CASES_ROOT,
) -> AwsCase:
    check_case_id(case_id)
    # Independent reads run side by side: time to the first containment call counts.
    with ThreadPoolExecutor(max_workers=3) as pool:
        identity = pool.submit(caller, clients)
        prewired = apply_overrides(clients, discover(clients), overrides or Overrides())
        bucket = prewired.evidence_bucket
        store = S3EvidenceStore(clients, bucket, root) if bucket else None
        lock_mode = pool.submit(store.lock_mode) if store is not None else None
        # The log reads its last stored entry meanwhile; it signs with the caller once known.
        reading = pool.submit(CustodyLog, case_id, store, "") if store and not dry_run else None
        actor = identity.result()
        lock_warning = _lock_warning(store, lock_mode) if store and lock_mode else None
        custody = reading.result() if reading else None
        if custody is not None and store is not None:
            custody.actor = actor
            record_interrupted(custody, store)
    case = AwsCase(
        case_id=case_id,
        clients=clients,
        prewired=prewired,
        store=store,
        custody=custody,
        dry_run=dry_run,
        options=options or Options(),
        progress=progress or NullProgress(),
        actor=actor,
    )
    if lock_warning:
        case.warnings.append(lock_warning)
    if prewired.discovery_error:
        case.warnings.append(prewired.discovery_error)
    for warning in case.warnings:
        log.warning(warning)
    return case
