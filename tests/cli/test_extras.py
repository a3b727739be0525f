"""`pip install 'prewire[aws]'` pulls no Azure or Google SDK and no emulator, and the CLI names
the extra a command needs. Checked on a real install: a virtual environment with only the `aws`
extra, built by uv from this checkout (the packages come from uv's cache of the locked ones)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GAPPY = ROOT / "tests" / "fixtures" / "programs" / "gappy_aws"


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    assert Path(found).exists(), "uv is installed by `make` into .tools/"
    return found


@pytest.fixture(scope="module")
def aws_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("aws-only") / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [_uv(), "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env
    )
    subprocess.run(
        [_uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), f"{ROOT}[aws]"],
        check=True,
        env=env,
        timeout=600,
    )
    return venv


def prewire(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VIRTUAL_ENV"))}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["COLUMNS"] = "250"  # tables unwrapped
    return subprocess.run(
        [str(venv / "bin" / "prewire"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_the_aws_extra_brings_no_other_cloud_and_no_emulator(aws_only: Path) -> None:
    site = next((aws_only / "lib").glob("python3*/site-packages"))
    names = {d.metadata["Name"].lower().replace("_", "-") for d in distributions(path=[str(site)])}
    assert {"prewire", "boto3", "pulumi-aws"} <= names
    others = {n for n in names if n.startswith(("azure", "google-cloud", "pulumi-gcp", "moto"))}
    assert others == set() and "pulumi-azure-native" not in names


@pytest.mark.parametrize(
    "args, extra",
    [
        (["audit", "azure", "--subscription", "11111111-2222-4333-8444-555555555555"], "azure"),
        (["respond", "gcp", "isolate-instance", "--case", "c1", "--target", "x"], "gcp"),
        (["drill"], "drill"),
        (["sandbox", "up"], "drill"),
        (["coverage"], "all"),
    ],
)
def test_a_command_names_the_extra_it_needs(
    aws_only: Path, tmp_path: Path, args: list[str], extra: str
) -> None:
    result = prewire(aws_only, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"pip install 'prewire[{extra}]'"), lines
    assert list(tmp_path.iterdir()) == []


def test_what_the_aws_extra_covers_runs(aws_only: Path, tmp_path: Path) -> None:
    checked = prewire(aws_only, "check", str(GAPPY), "--format", "json", cwd=tmp_path)
    assert checked.returncode == 1 and '"AWS-TRAIL-002"' in checked.stdout  # gaps found
    # Without a program: the kit's own, whose project files the wheel carries in stacks/.
    kit = prewire(aws_only, "check", "--format", "json", cwd=tmp_path)
    assert kit.returncode in (0, 1), kit.stderr
    assert '"AWS-TRAIL-001"' in kit.stdout and "Pulumi.example-aws.yaml" in kit.stderr + kit.stdout
    listed = prewire(aws_only, "list", cwd=tmp_path)
    assert listed.returncode == 0 and "isolate-instance" in listed.stdout
    assert "prewire[azure]" in " ".join(listed.stdout.split())
    audit = prewire(aws_only, "audit", "aws", "--region", "eu-west-1", cwd=tmp_path)
    assert audit.returncode == 2 and "no AWS credentials" in audit.stderr  # past the extras
