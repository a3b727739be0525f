"""The custody log on the S3 evidence store of the embedded AWS: group-committed batches, a
stale second writer refused, a re-opened log continuing the chain, verification of batches."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import typer

from prewire.cli.common import OutputFormat
from prewire.cli.respond import _run_and_report
from prewire.core.evidence.custody import (
    ConcurrentWriterError,
    CustodyLog,
    CustodyWriteError,
    Entry,
)
from prewire.core.evidence.verify import verify_case
from prewire.core.vocabulary import Cloud
from prewire.drill.aws.environment import PreparedAccount
from responders.aws.case import AwsCase
from responders.aws.store import S3EvidenceStore
from tests.aws.conftest import open_test_case, refused

CASE = "custody-1"


def evidence_store(account: PreparedAccount) -> S3EvidenceStore:
    return S3EvidenceStore(account.responder(), account.evidence_bucket)


def custody_objects(store: S3EvidenceStore) -> list[str]:
    return [o.key for o in store.list_objects(store.custody_prefix(CASE))]


def test_concurrent_entries_share_writes_and_each_is_stored_before_append_returns(
    account: PreparedAccount,
) -> None:
    store = evidence_store(account)
    log = CustodyLog(CASE, store, "tester")
    unstored: list[int] = []
    lock = threading.Lock()

    def act(target: int) -> None:
        for step in range(3):
            entry = log.append(action=f"step-{step}", target=f"i-{target}", status="changed")
            stored = [e.seq for e in store.read_all_entries(CASE)]
            if entry.seq not in stored:
                with lock:
                    unstored.append(entry.seq)

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(act, range(32)))

    entries = store.read_all_entries(CASE)
    assert [e.seq for e in entries] == list(range(96))
    assert unstored == [], "append returned before its entry was stored"
    assert len(custody_objects(store)) < len(entries), "concurrent entries were not batched"
    result = verify_case(store, CASE)
    assert result.ok and result.entries == 96, result.problems


def test_a_stale_second_writer_is_refused_and_stops_without_forking_the_chain(
    account: PreparedAccount,
) -> None:
    store = evidence_store(account)
    first = CustodyLog(CASE, store, "first")
    stale = CustodyLog(CASE, store, "second")  # opened before the first one wrote anything
    first.append(action="isolate-instance", target="i-1", status="changed")
    with pytest.raises(ConcurrentWriterError):
        stale.append(action="isolate-instance", target="i-1", status="changed")
    objects = custody_objects(store)
    with pytest.raises(CustodyWriteError, match="re-run to continue"):
        stale.append(action="snapshot-disks", target="i-1", status="changed")
    assert custody_objects(store) == objects, "a refused log wrote again"
    reopened = CustodyLog(CASE, store, "second")
    entry = reopened.append(action="snapshot-disks", target="i-1", status="changed")
    assert entry.seq == 1 and entry.prev == store.read_all_entries(CASE)[0].hash
    assert [e.actor for e in reopened.history()] == ["first", "second"]
    assert verify_case(store, CASE).ok


def test_verify_names_a_batch_stored_under_another_number(account: PreparedAccount) -> None:
    store = evidence_store(account)
    log = CustodyLog(CASE, store, "tester")
    log.append(action="collect", target="i-1", status="collected")
    [entry] = store.read_all_entries(CASE)
    misplaced = Entry.parse(entry.line())
    store.create_entry(store.entry_key(CASE, 5), (misplaced.line() + "\n").encode())
    problems = {(p.kind, p.subject, p.detail) for p in verify_case(store, CASE).problems}
    assert ("chain", "custody entry 5", "stored under 5, holds seq 0") in problems


def test_a_run_whose_log_was_overtaken_stops_with_one_line_and_exit_1(
    account: PreparedAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    case = open_test_case(account, CASE)
    # Another responder writes to the same case after this run opened its log.
    CustodyLog(CASE, evidence_store(account), "other").append(
        action="collect-instance-metadata", target=account.victim.instance_id, status="collected"
    )
    assert protect_exit_code(case, account.victim.instance_id) == 1
    error = capsys.readouterr().err
    assert "another responder is writing to this case" in error and "Traceback" not in error
    assert [e.actor for e in evidence_store(account).read_all_entries(CASE)] == ["other"]


def test_a_custody_write_refused_by_the_store_stops_the_run_with_one_line(
    account: PreparedAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    """The AccessDenied is injected by an SDK hook (a recorded AWS error shape): moto does not
    enforce IAM. The instance change itself happens on the emulator."""
    case = open_test_case(account, CASE)

    def deny_custody_writes(params: dict[str, Any], **_: Any) -> Any:
        if "/custody/" not in params["url_path"]:
            return None
        return refused("AccessDenied", "Access Denied")

    case.clients.s3.meta.events.register("before-call.s3.PutObject", deny_custody_writes)
    assert protect_exit_code(case, account.victim.instance_id) == 1
    error = capsys.readouterr().err
    assert f"custody log of case {CASE} stopped at a failed write" in error
    assert "AccessDenied" in error and "Traceback" not in error
    assert evidence_store(account).read_all_entries(CASE) == []


def protect_exit_code(case: AwsCase, instance_id: str) -> int:
    """`prewire respond aws protect-instance` on an opened case: the exit code it stops with."""
    with pytest.raises(typer.Exit) as stopped:
        _run_and_report(
            Cloud.AWS,
            case,
            "protect-instance",
            [instance_id],
            variant=None,
            workers=1,
            dry_run=False,
            output_format=OutputFormat.JSON,
        )
    return stopped.value.exit_code
