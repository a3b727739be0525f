"""policies/checkov: the control logic as checkov custom checks, run by checkov in its own
environment on a Terraform configuration (the path Terraform users take)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from policies.checkov_run import checkov_command, checkov_environment
from policies.terraform_rules import CHECKS

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "tests" / "fixtures" / "terraform"


@pytest.fixture(scope="module")
def results() -> dict[str, set[str]]:
    command = checkov_command(
        "-d",
        str(TERRAFORM),
        "--framework",
        "terraform",
        "-o",
        "json",
        "--skip-download",
        "--compact",
        "--external-checks-dir",
        str(ROOT / "policies" / "checkov"),
        "--check",
        ",".join(c.checkov_id for c in CHECKS),
    )
    done = subprocess.run(
        command, capture_output=True, text=True, env=checkov_environment(), timeout=600, check=False
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    outcome: dict[str, set[str]] = {"failed": set(), "passed": set()}
    for key, bucket in (("failed_checks", "failed"), ("passed_checks", "passed")):
        for result in report["results"][key]:
            outcome[bucket].add(f"{result['check_id']}:{result['resource']}")
    return outcome


@pytest.mark.parametrize(
    ("check", "resource"),
    [
        ("CKV_PREWIRE_AWS_TRAIL_001", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_TRAIL_002", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_TRAIL_006", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_STORE_002", "aws_s3_bucket_object_lock_configuration.audit"),
        ("CKV_PREWIRE_AWS_STORE_007", "aws_s3_bucket_lifecycle_configuration.audit"),
        ("CKV_PREWIRE_AWS_EKS_001", "aws_eks_cluster.prod"),
        ("CKV_PREWIRE_AWS_LOGS_001", "aws_cloudwatch_log_group.app"),
        ("CKV_PREWIRE_AWS_EBS_001", "aws_instance.db"),
    ],
)
def test_gaps_fail(results: dict[str, set[str]], check: str, resource: str) -> None:
    assert f"{check}:{resource}" in results["failed"]


@pytest.mark.parametrize(
    ("check", "resource"),
    [
        ("CKV_PREWIRE_AWS_TRAIL_003", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_TRAIL_005", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_TRAIL_007", "aws_cloudtrail.org"),
        ("CKV_PREWIRE_AWS_STORE_002", "aws_s3_bucket_object_lock_configuration.evidence"),
    ],
)
def test_ready_settings_pass(results: dict[str, set[str]], check: str, resource: str) -> None:
    assert f"{check}:{resource}" in results["passed"]
