"""`prewire drill --provision pulumi`: deploy the real program into the emulator with Pulumi.

The Automation API runs `pulumi up` on the kit's project (`Pulumi.yaml`, `stacks/`) with a local
state backend in a temporary folder and the AWS provider pointed at the emulator. It needs the
Pulumi CLI and its AWS plugin on the machine; without them the drill says so (exit 2) and the
default API provisioner (`--provision api`) remains.

NOT RUN HERE: the machine this kit is developed on cannot install the Pulumi CLI, so this path is
tested only up to the CLI boundary (the configuration it would set, the missing-CLI error).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prewire.core.graph import Graph
from prewire.drill.aws.environment import drill_config
from prewire.drill.provisioning import Provisioned
from prewire.emulator.aws import CREDENTIALS
from prewire.render.program import KIT_MAIN, KIT_ROOT
from responders.runtime import InputError

STACK = "drill"
# The state holds nothing secret (the emulator is thrown away); the passphrase only unlocks it.
PASSPHRASE = "prewire-drill"  # noqa: S105
# The AWS provider's endpoint key for each pulumi-aws module the stack uses. A module missing
# here would send its calls to real AWS, so an unmapped module is an error, not a default.
ENDPOINT_KEYS: dict[str, tuple[str, ...]] = {
    "backup": ("backup",),
    "cfg": ("configservice",),
    "cloudtrail": ("cloudtrail",),
    "cloudwatch": ("events", "logs", "cloudwatch"),
    "dlm": ("dlm",),
    "ec2": ("ec2",),
    "guardduty": ("guardduty",),
    "iam": ("iam",),
    "kms": ("kms",),
    "lambda": ("lambda",),
    "s3": ("s3",),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "ssm": ("ssm",),
}


def endpoint_keys(graph: Graph) -> list[str]:
    """Every provider endpoint the stack's resources call, plus STS for the caller identity."""
    modules = {
        r.type.split(":")[1].split("/")[0] for r in graph.resources if r.type.startswith("aws:")
    }
    unmapped = sorted(modules - set(ENDPOINT_KEYS))
    if unmapped:
        raise InputError(f"no emulator endpoint for pulumi-aws module(s) {', '.join(unmapped)}")
    return sorted({"sts", *(key for m in modules for key in ENDPOINT_KEYS[m])})


def stack_config(region: str, endpoint: str, vpc_ids: list[str], graph: Graph) -> dict[str, Any]:
    """The drill stack's config: the drill settings with the real VPC ids, and the AWS provider
    pointed at the emulator with the emulator's credentials."""
    return {
        **drill_config(region),
        "prewire:aws.vpcIds": json.dumps(vpc_ids),
        "aws:endpoints": [dict.fromkeys(endpoint_keys(graph), endpoint)],
        "aws:skipCredentialsValidation": True,
        "aws:skipMetadataApiCheck": True,
        "aws:s3UsePathStyle": True,
        "aws:accessKey": CREDENTIALS["aws_access_key_id"],
        "aws:secretKey": CREDENTIALS["aws_secret_access_key"],
    }


def require_pulumi_cli() -> None:
    if shutil.which("pulumi") is None:
        raise InputError(
            "--provision pulumi needs the Pulumi CLI on PATH (and its AWS plugin); "
            "without it use the default --provision api"
        )


def pulumi_up(
    region: str,
    endpoint: str,
    vpc_ids: list[str],
    graph: Graph,
    progress: Callable[[str], None],
) -> Provisioned:
    require_pulumi_cli()
    from pulumi import automation as auto

    # A throwaway project folder: the kit's program (by absolute path), this stack's settings
    # and the local state, so nothing is written into the checkout.
    work = Path(tempfile.mkdtemp(prefix="prewire-drill-pulumi-"))
    project = auto.ProjectSettings(
        name="prewire",
        runtime=auto.ProjectRuntimeInfo(
            name="python", options={"toolchain": "uv", "virtualenv": str(KIT_ROOT / ".venv")}
        ),
        main=str(KIT_MAIN),
    )
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(work),
        project_settings=project,
        stack_settings={
            STACK: auto.StackSettings(config=stack_config(region, endpoint, vpc_ids, graph))
        },
        env_vars={
            "PULUMI_BACKEND_URL": (work / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        },
    )
    (work / "state").mkdir()
    stack = auto.create_or_select_stack(stack_name=STACK, work_dir=str(work), opts=workspace)
    progress(f"pulumi up in {work}")
    stack.up(on_output=lambda line: progress(f"pulumi: {line.rstrip()}"), color="never")
    resources = (stack.export_stack().deployment or {}).get("resources", [])
    created = [str(r["urn"]) for r in resources if not str(r["type"]).startswith("pulumi:")]
    return Provisioned(created=created)
