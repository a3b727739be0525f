"""`prewire check --with-checkov`: checkov on the rendered graph, results merged into findings.

checkov cannot share an environment with Pulumi (it pins old `packaging` and boto3), so it runs
as a uv tool in its own environment, offline. Results of checks that match a prewire control take
that control's id and severity; the others are reported as low-severity checkov findings under
their own id. Failures the kit's stack has on purpose are listed in WAIVERS with the reason and
reported as passed with that reason, never hidden.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies import tfplan
from policies.catalogue import CONTROLS, Control, load_catalogue
from policies.findings import Finding, Status
from prewire.core.azure import arm_template as armtemplate
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import Cloud, Severity

CHECKOV_VERSION = "3.3.30"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Waiver:
    check_id: str
    resource: str  # regex over the Terraform address
    reason: str


AWS_WAIVERS = (
    Waiver(
        "CKV2_AWS_34",
        r"^aws_ssm_parameter\.prewire_discovery",
        "discovery parameters name "
        "resources, they hold no secrets; String keeps them readable without KMS grants",
    ),
    *(
        Waiver(
            check,
            r"^aws_security_group\..*-?conversion$|_conversion$",
            "the conversion group "
            "allows everything by design, for seconds, so tracked connections become untracked "
            "before isolation",
        )
        for check in ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "CKV_AWS_382")
    ),
    Waiver(
        "CKV2_AWS_5",
        r"^aws_security_group\.prewire_isolation",
        "isolation and conversion groups are pre-created and attached only during an incident",
    ),
    Waiver(
        "CKV2_AWS_61",
        r"^aws_s3_bucket\.prewire_(audit|evidence)",
        "a lifecycle rule on a "
        "locked evidence or audit store would be anti-forensic (AWS-STORE-007)",
    ),
    Waiver(
        "CKV2_AWS_62",
        r"^aws_s3_bucket\.prewire",
        "event notifications are not needed for "
        "readiness; CloudTrail data events record object access",
    ),
    Waiver(
        "CKV_AWS_144",
        r"^aws_s3_bucket\.prewire",
        "cross-region replication is a cost choice "
        "left to the platform team; Object Lock protects the single copy",
    ),
    Waiver(
        "CKV_AWS_145",
        r"^aws_s3_bucket\.prewire_access_logs",
        "server access logging only delivers to SSE-S3 buckets",
    ),
    Waiver(
        "CKV_AWS_117",
        r"^aws_lambda_function\.prewire_response",
        "the responder calls AWS APIs only; placing it in a VPC is a deployment choice",
    ),
    Waiver(
        "CKV_AWS_272",
        r"^aws_lambda_function\.prewire_response",
        "code signing needs a signing profile outside this stack",
    ),
    Waiver(
        "CKV_AWS_252",
        r"^aws_cloudtrail\.",
        "delivery notifications are optional; the trail streams to CloudWatch Logs for alerting",
    ),
    Waiver(
        "CKV_AWS_112",
        r"^aws_ssm_document\.",
        "session data encryption with a CMK would "
        "require kms:Decrypt on every instance role; sessions use TLS and logs are encrypted",
    ),
    Waiver(
        "CKV2_AWS_3",
        r"^aws_guardduty_detector\.",
        "organisation-wide GuardDuty is managed in "
        "the delegated administrator account, outside a workload account's stack",
    ),
    *(
        Waiver(
            check,
            r"^aws_iam_policy\.prewire_identities_responder",
            "responders must write "
            "deny policies onto whichever identity is compromised; see docs/responders.md",
        )
        for check in ("CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_355")
    ),
)


AZURE_WAIVERS = (
    *(
        Waiver(
            check,
            r"^Microsoft\.Storage/storageAccounts\.prewire",
            "responders run from wherever the incident is handled: the stores take Entra ID "
            "only, no shared keys, no public blobs; restricting networks (private endpoints) is "
            "a deployment choice",
        )
        for check in ("CKV_AZURE_35", "CKV_AZURE_36")
    ),
    Waiver(
        "CKV_AZURE_87",
        r"^Microsoft\.Security/pricings\.(VirtualMachines|Containers)$",
        "checkov judges every Defender plan as if it were the Key Vault plan",
    ),
    Waiver(
        "CKV_AZURE_206",
        r"^Microsoft\.Storage/storageAccounts\.prewireflow",
        "flow logs are kept zone-redundant in their network's region (Azure requires the "
        "region); their analysed copy is in the workspace",
    ),
    Waiver(
        "CKV_AZURE_206",
        r"^Microsoft\.Storage/storageAccounts\.prewirefn",
        "the responder Function's host account holds its code (rebuilt from the repository) "
        "and trigger checkpoints, no evidence; it is zone-redundant",
    ),
    *(
        Waiver(
            check,
            r"^Microsoft\.Web/(serverfarms|sites)\.prewire-responder",
            "the responder Function runs on the Consumption plan (no zone redundancy, minimum "
            "instances or HTTP health check there) and has no HTTP endpoint to probe; its Event "
            "Hub trigger is retried by the host",
        )
        for check in ("CKV_AZURE_212", "CKV_AZURE_213", "CKV_AZURE_225")
    ),
)


GCP_WAIVERS = (
    Waiver(
        "CKV_GCP_62",
        r"^google_storage_bucket\.prewire_buckets_",
        "Data Access audit logs (GCP-LOG-001) record every read and write of each object with "
        "the caller's identity; usage logs would add nothing but a third bucket",
    ),
    Waiver(
        "CKV_GCP_83",
        r"^google_pubsub_topic\.prewire_findings_",
        "the topic carries finding notifications, no evidence, for seven days; evidence lands "
        "in the buckets, which take the configured CMEK",
    ),
    Waiver(
        "CKV_GCP_46",
        r"^google_project_iam_member\.prewire_vmdk_export_",
        "only with gcp.vmdkExport: Google's image export runs its worker VM as the Compute "
        "Engine default account, which must manage the export's temporary disk images",
    ),
)


WAIVERS = (*AWS_WAIVERS, *AZURE_WAIVERS, *GCP_WAIVERS)


class CheckovUnavailable(RuntimeError):
    pass


@dataclass
class CheckovResult:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)


def uv_binary() -> str:
    for candidate in (
        os.environ.get("UV"),
        shutil.which("uv"),
        str(Path(__file__).resolve().parents[1] / ".tools" / "bin" / "uv"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise CheckovUnavailable("uv not found: run `make setup` (it installs uv into .tools/)")


def checkov_command(*arguments: str) -> list[str]:
    return [
        uv_binary(),
        "tool",
        "run",
        "--from",
        f"checkov=={CHECKOV_VERSION}",
        "checkov",
        *arguments,
    ]


def checkov_environment() -> dict[str, str]:
    return {
        **os.environ,
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "BC_SKIP_MAPPING": "TRUE",
        "UV_PYTHON_DOWNLOADS": "never",
        "LOG_LEVEL": "ERROR",
    }


def run_checkov_on(
    plan_file: Path, extra: Sequence[str] = (), framework: str = "terraform_plan"
) -> dict[str, Any]:
    command = checkov_command(
        "-f",
        str(plan_file),
        "--framework",
        framework,
        "-o",
        "json",
        "--skip-download",
        "--compact",
        *extra,
    )
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=checkov_environment(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CheckovUnavailable(f"checkov did not run: {error}") from error
    if done.returncode not in (0, 1):
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CheckovUnavailable(f"checkov failed (exit {done.returncode}): {tail[0]}")
    report = json.loads(done.stdout)
    return dict(report[0] if isinstance(report, list) else report)


def _by_checkov_id() -> dict[str, Control]:
    load_catalogue()
    return {check: control for control in CONTROLS for check in control.checkov}


def _external_control(result: dict[str, Any], cloud: Cloud) -> Control:
    return Control(
        id=result["check_id"],
        title=result["check_name"],
        severity=Severity.LOW,
        cloud=cloud,
        sources=(),
        rationale="checkov built-in check",
        remediation=result.get("guideline") or f"see checkov {result['check_id']}",
    )


def _waiver(check_id: str, address: str) -> Waiver | None:
    return next(
        (w for w in WAIVERS if w.check_id == check_id and re.search(w.resource, address)), None
    )


def to_findings(
    report: dict[str, Any], resources: dict[str, Resource], cloud: Cloud = Cloud.AWS
) -> list[Finding]:
    mapped = _by_checkov_id()
    findings = []
    results = report.get("results", {})
    for key, status in (("failed_checks", Status.FAILED), ("passed_checks", Status.PASSED)):
        for result in results.get(key, []):
            check_id = result["check_id"]
            address = result.get("resource_address") or result.get("resource", "")
            control = mapped.get(check_id) or _external_control(result, cloud)
            label = resources[address].label if address in resources else address
            message = f"checkov {check_id}: {result['check_name']}"
            waiver = _waiver(check_id, address) if status is Status.FAILED else None
            if waiver:
                status_here, message = (
                    Status.PASSED,
                    f"{message} (accepted by design: {waiver.reason})",
                )
            else:
                status_here = status
            findings.append(
                Finding(control, status_here, label, message, source="checkov", checkov_id=check_id)
            )
    return findings


@dataclass(frozen=True)
class Export:
    """One rendering of the graph checkov reads: Terraform plan JSON (AWS) or ARM (Azure)."""

    cloud: Cloud
    framework: str
    file_name: str
    build: Callable[[Graph], tuple[dict[str, Any], dict[str, Resource]]]


EXPORTS = (
    Export(Cloud.AWS, "terraform_plan", "plan.json", tfplan.export),
    Export(Cloud.AZURE, "arm", "template.json", armtemplate.export),
)


def run_checkov(graph: Graph) -> CheckovResult:
    result = CheckovResult()
    exported = 0
    with tempfile.TemporaryDirectory(prefix="prewire-checkov-") as directory:
        for export in EXPORTS:
            document, resources = export.build(graph)
            if not resources:
                continue
            exported += len(resources)
            path = Path(directory) / export.file_name
            path.write_text(json.dumps(document, default=str))
            try:
                report = run_checkov_on(path, framework=export.framework)
            except CheckovUnavailable as error:
                result.notes.append(str(error))
                continue
            result.findings += to_findings(report, resources, export.cloud)
    if not exported:
        result.notes.append("checkov: no AWS or Azure resources to export")
        return result
    result.checks_run = sorted({f.checkov_id for f in result.findings if f.checkov_id})
    result.notes.append(
        f"checkov {CHECKOV_VERSION} ran {len(result.checks_run)} checks on "
        f"{exported} exported resources"
    )
    return result
