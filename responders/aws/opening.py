"""Opening a case: discovery, overrides, evidence store, actor and custody log, in one place
for the CLI, the deployed function and the drills."""

from __future__ import annotations

import logging

import botocore.exceptions

from prewire.evidence.custody import CustodyLog
from prewire.evidence.layout import CASES_ROOT
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
    actor = caller(clients)
    prewired = apply_overrides(clients, discover(clients), overrides or Overrides())
    store = (
        S3EvidenceStore(clients, prewired.evidence_bucket, root)
        if prewired.evidence_bucket
        else None
    )
    warnings: list[str] = []
    if store is not None:
        try:
            mode = store.lock_mode()
        except botocore.exceptions.ClientError as error:
            raise InputError(f"evidence bucket {store.bucket}: {error_code(error)}") from error
        if mode != "COMPLIANCE":
            lock = "no Object Lock" if mode is None else f"Object Lock in {mode} mode"
            warnings.append(f"evidence bucket {store.bucket} has {lock}: artifacts can be altered")
    custody = CustodyLog(case_id, store, actor) if store is not None and not dry_run else None
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
    case.warnings.extend(warnings)
    if prewired.discovery_error:
        case.warnings.append(prewired.discovery_error)
    for warning in case.warnings:
        log.warning(warning)
    return case
