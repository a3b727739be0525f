"""Flags shared by several commands (defined once), error handling and exit codes.

Exit codes: 0 ok, 1 findings or failed expectations or partial failure, 2 usage or input error.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2

console = Console()
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


Region = Annotated[
    str | None,
    typer.Option("--region", help="AWS region (default: AWS_REGION or the profile's region)."),
]
Profile = Annotated[str | None, typer.Option("--profile", help="AWS named profile.")]
EndpointUrl = Annotated[
    str | None,
    typer.Option("--endpoint-url", help="Send AWS calls here (an emulator or a VPC endpoint)."),
]
EvidenceBucket = Annotated[
    str | None,
    typer.Option("--evidence-bucket", help="Override the discovered /prewire/aws/evidence-bucket."),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
AzureSubscription = Annotated[
    str | None,
    typer.Option(
        "--subscription",
        envvar="AZURE_SUBSCRIPTION_ID",
        help="Subscription id (default: AZURE_SUBSCRIPTION_ID).",
    ),
]
GcpProject = Annotated[
    str | None,
    typer.Option(
        "--project",
        envvar="GOOGLE_CLOUD_PROJECT",
        help="Project id (default: GOOGLE_CLOUD_PROJECT).",
    ),
]
Output = Annotated[Path | None, typer.Option("--output", help="Write the report to this file.")]


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def given_subscription(subscription: str | None) -> str:
    """The --subscription value, or one line and exit 2 (audit and respond alike)."""
    if not subscription:
        fail("no subscription: pass --subscription or set AZURE_SUBSCRIPTION_ID")
    return subscription


def given_project(project: str | None) -> str:
    """The --project value, or one line and exit 2 (audit and respond alike)."""
    if not project:
        fail("no project: pass --project or set GOOGLE_CLOUD_PROJECT")
    return project


def input_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's input errors into one clear line and exit code 2."""
    from policies.baseline import BaselineOutputsError
    from policies.overrides import CheckSettingsError
    from prewire.core.registry import UnknownNameError
    from prewire.render import ProgramError
    from responders.runtime import InputError
    from stacks.settings import SettingsError

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (
            InputError,
            ProgramError,
            SettingsError,
            CheckSettingsError,
            BaselineOutputsError,
            UnknownNameError,
        ) as error:
            fail(str(error).replace("\n", " "))

    return wrapper


def resolve_region(region: str | None, profile: str | None) -> str:
    import boto3
    import botocore.exceptions

    if region:
        return region
    try:
        found: str | None = boto3.Session(profile_name=profile).region_name
    except botocore.exceptions.ProfileNotFound as error:
        fail(str(error))
    found = found or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not found:
        fail("no AWS region: pass --region or set AWS_REGION")
    return found


def write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    errors.print(f"wrote {output}")


def as_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=False, default=str)
