"""Flags shared by several commands (defined once), error handling and exit codes.

Exit codes: 0 ok, 1 findings or failed expectations or partial failure, 2 usage or input error.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from prewire.cli.extras import MissingExtraError, extra_for, install_hint

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


def _writable(path: Path | None, directory: bool) -> Path | None:
    """Checked when the command line is read, before any work: a long audit or drill must not
    end in "cannot write". The path (a file, or with `directory` a folder, created later) must
    not be the other kind, and a file must be creatable in its nearest existing folder (tried
    with a temporary file, removed at once: permission bits say nothing to root)."""
    if path is None:
        return None
    if path.exists() and path.is_dir() != directory:
        raise typer.BadParameter(f"{path} is {'not ' if directory else ''}a directory")
    existing = path if path.exists() and directory else path.parent
    while not existing.exists():
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise typer.BadParameter(f"cannot write under {existing}: {error.strerror}") from error
    return path


def writable_file(path: Path | None) -> Path | None:
    return _writable(path, directory=False)


def writable_directory(path: Path | None) -> Path | None:
    return _writable(path, directory=True)


Output = Annotated[
    Path | None,
    typer.Option("--output", help="Write the report to this file.", callback=writable_file),
]
ReportDir = Annotated[
    Path | None,
    typer.Option("--report-dir", help="Default ./reports/<case>/.", callback=writable_directory),
]


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    # Escaped: a message quotes user input and commands (`prewire[azure]`) that rich would
    # otherwise read as markup and drop.
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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
    from prewire.core.evidence.layout import DamagedCustodyError
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
            DamagedCustodyError,
        ) as error:
            fail(str(error).replace("\n", " "))
        except MissingExtraError as error:
            fail(str(error))
        except ModuleNotFoundError as error:  # an extra that is not installed
            extra = extra_for(error.name)
            if extra is None:
                raise
            fail(install_hint(extra, str(error.name)))
        except Exception as error:  # the clouds' SDKs: only what is the caller's input
            message = _sdk_input_error(error)
            if message is None:
                raise
            fail(message)

    return wrapper


def _sdk_input_error(error: Exception) -> str | None:
    """One line for an SDK error that means the caller's setup is wrong, else None.

    Checked by module name so the CLI imports no cloud SDK it does not use."""
    kind = type(error).__name__
    if type(error).__module__.startswith("botocore"):
        if kind in {"NoCredentialsError", "PartialCredentialsError"}:
            return "no AWS credentials: set a profile (--profile) or credentials"
        if kind == "ProfileNotFound":
            return str(error)
        if kind == "EndpointConnectionError":
            return f"cannot reach AWS: {error} (check --region and --endpoint-url)"
    return None


def resolve_region(region: str | None, profile: str | None, needs: str = "") -> str:
    """The region given, or the profile's or environment's; `needs` says, when none is found,
    what the command reads there (so the error says what to give, not only what is missing)."""
    import boto3
    import botocore.exceptions

    if region:
        return known_region(region)
    try:
        found: str | None = boto3.Session(profile_name=profile).region_name
    except botocore.exceptions.ProfileNotFound as error:
        fail(str(error))
    found = found or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not found:
        fail(f"{needs + ': ' if needs else ''}no AWS region: pass --region or set AWS_REGION")
    return known_region(found)


def known_region(region: str) -> str:
    """The region, if the installed botocore knows it in some partition; else one line, exit 2."""
    import boto3

    session = boto3.Session()
    known = {
        name
        for partition in session.get_available_partitions()
        for name in session.get_available_regions("ec2", partition_name=partition)
    }
    if region not in known:
        fail(f"unknown AWS region {region!r} (botocore knows {len(known)}, e.g. us-east-1)")
    return region


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
